//! Pages for developers extending Roster, not for administrators: the
//! component gallery at `/dev/components`. The server answers them only in
//! debug builds or with `ROSTER_DEV_PAGES=on` (see the server's request
//! guard); they call no server function.

mod gallery_ui;

pub use gallery_ui::ComponentGallery;
