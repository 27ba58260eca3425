//! The Users table as CSV: every user matching the view, in its order, with
//! the table's columns. Written in chunks so a large export streams.

use crate::users::table::api::UserRow;

/// The CSV's columns: the table's, without View.
/// Spreadsheets run a cell that starts with one of these as a formula; a
/// leading apostrophe keeps a name like "=HYPERLINK(…)" plain text.
pub(crate) fn defuse(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

/// The header line.
pub fn header() -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = writer.write_record(crate::users::table::api::data_columns());
    writer.into_inner().unwrap_or_default()
}

/// CSV lines for these rows.
pub fn lines(rows: &[UserRow]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        let mut status = vec![if row.active { "Active" } else { "Inactive" }];
        status.extend(row.badges.iter().map(|b| b.label()));
        let fields = [
            row.username.clone(),
            row.email.clone(),
            row.name.clone(),
            row.roles.join(", "),
            if row.signed_in {
                "Signed in"
            } else {
                "Signed out"
            }
            .to_owned(),
            row.last_signin.clone().unwrap_or_default(),
            row.time_logged_in.clone().unwrap_or_default(),
            row.last_location.clone().unwrap_or_default(),
            row.last_activity.clone().unwrap_or_default(),
            status.join(", "),
            row.phone.clone().unwrap_or_default(),
            row.phone_ext.clone().unwrap_or_default(),
            row.created_at.clone(),
        ];
        let _ = writer.write_record(fields.iter().map(|f| defuse(f)));
    }
    writer.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_kept_as_text_and_commas_quoted() {
        let row = UserRow {
            id: 1,
            username: "ann".into(),
            email: "ann@example.com".into(),
            name: "=HYPERLINK(\"x\")".into(),
            roles: vec!["Support".into(), "Viewer".into()],
            signed_in: false,
            last_signin: None,
            time_logged_in: None,
            signed_in_since: None,
            last_location: None,
            last_activity: None,
            active: true,
            badges: vec![],
            phone: None,
            phone_ext: None,
            created_at: "03-01-2026 09:30".into(),
        };
        let text = String::from_utf8(lines(&[row])).unwrap();
        assert!(text.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{text}");
        assert!(text.contains("\"Support, Viewer\""), "{text}");
    }
}
