//! Shared UI components: the only place a heading, notice, table, dialog,
//! toast, badge, button or form field is styled and made accessible. Pages are
//! built from these; styles live in `style/components/`.

mod auth_card;
mod chart;
mod checkbox;
mod choice_list;
mod dialog;
mod error_list;
mod form_errors;
mod menu;
mod navigation;
mod new_password_fields;
mod notice;
mod page_header;
mod pager;
mod session_table;
mod text_field;
mod toast;

pub use auth_card::AuthCard;
pub use chart::{BarChart, ChartSeries};
pub use checkbox::Checkbox;
pub use choice_list::ChoiceList;
pub use dialog::ConfirmDialog;
pub use error_list::ErrorList;
pub use form_errors::{error_elsewhere, error_on};
pub use menu::{MenuButton, MenuItem};
pub use navigation::{
    BasePath, Based, IMPERSONATION_PATH, base_path, based, go_to, go_to_outside,
    impersonation_base, in_base, path_segment, split_impersonation_path,
};
pub use new_password_fields::{NewPasswordCheck, NewPasswordFields};
pub use notice::{Notice, NoticeKind};
pub use page_header::PageHeader;
pub use pager::Pager;
pub use session_table::{SessionRow, SessionTable};
pub use text_field::TextField;
pub use toast::{Toast, ToastKind, ToastRegion, Toasts, lifetime_ms, provide_toasts, use_toasts};
