//! Shared UI components: the only place a heading, notice, table, dialog,
//! toast, badge, button or form field is styled and made accessible. Pages are
//! built from these; styles live in `style/components/`.

mod notice;
mod page_header;

pub use notice::Notice;
pub use page_header::PageHeader;
