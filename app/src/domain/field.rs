use serde::{Deserialize, Serialize};

/// A field an error can belong to: a form field, or a URL parameter of the
/// Users table's view. [`crate::error::AppError`] carries
/// [`FormField::key`] to the browser, which shows the message next to the
/// field of that name (see `components::form_errors`); API clients read the
/// same key in an error's `field`.
///
/// Keys are never renamed: forms, API clients and tests match on them.
/// Adding a variant: add it to [`FormField::ALL`] and give it a key and a
/// label (the tests below do not compile until it is in `ALL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
pub enum FormField {
    // A user's profile (New User, the user page).
    Username,
    Email,
    Name,
    Phone,
    PhoneExt,
    Roles,
    Teams,
    /// The user page's Active checkbox.
    Active,
    /// A password an administrator sets: New User's temporary password, Set
    /// Password.
    Password,
    /// The username typed to confirm Delete permanently.
    ConfirmUsername,
    /// The users a bulk action or message applies to.
    Selection,
    /// The token of an emailed link (invitation, reset, temporary login).
    Token,
    // Choosing one's own password.
    CurrentPassword,
    NewPassword,
    ConfirmPassword,
    /// A message's text.
    MessageBody,
    /// "Forgot password?": the username or email address.
    Login,
    // The Users table's view, as URL parameters.
    /// `q`: the search text.
    Search,
    Status,
    Role,
    Team,
    SignedIn,
    /// `deleted`: whether deleted users are shown too.
    Deleted,
    Sort,
    /// `dir`: ascending or descending.
    SortDirection,
    Page,
    PerPage,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFormField(pub String);

impl std::fmt::Display for UnknownFormField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown form field '{}'", self.0)
    }
}

impl std::error::Error for UnknownFormField {}

impl FormField {
    pub const ALL: [FormField; 27] = [
        FormField::Username,
        FormField::Email,
        FormField::Name,
        FormField::Phone,
        FormField::PhoneExt,
        FormField::Roles,
        FormField::Teams,
        FormField::Active,
        FormField::Password,
        FormField::ConfirmUsername,
        FormField::Selection,
        FormField::Token,
        FormField::CurrentPassword,
        FormField::NewPassword,
        FormField::ConfirmPassword,
        FormField::MessageBody,
        FormField::Login,
        FormField::Search,
        FormField::Status,
        FormField::Role,
        FormField::Team,
        FormField::SignedIn,
        FormField::Deleted,
        FormField::Sort,
        FormField::SortDirection,
        FormField::Page,
        FormField::PerPage,
    ];

    /// The stable name on the wire: an error's `field`, and the form
    /// input's or URL parameter's name.
    pub const fn key(self) -> &'static str {
        match self {
            FormField::Username => "username",
            FormField::Email => "email",
            FormField::Name => "name",
            FormField::Phone => "phone",
            FormField::PhoneExt => "phone_ext",
            FormField::Roles => "roles",
            FormField::Teams => "teams",
            FormField::Active => "active",
            FormField::Password => "password",
            FormField::ConfirmUsername => "confirm_username",
            FormField::Selection => "selection",
            FormField::Token => "token",
            FormField::CurrentPassword => "current_password",
            FormField::NewPassword => "new_password",
            FormField::ConfirmPassword => "confirm_password",
            FormField::MessageBody => "body",
            FormField::Login => "login",
            FormField::Search => "q",
            FormField::Status => "status",
            FormField::Role => "role",
            FormField::Team => "team",
            FormField::SignedIn => "signed_in",
            FormField::Deleted => "deleted",
            FormField::Sort => "sort",
            FormField::SortDirection => "dir",
            FormField::Page => "page",
            FormField::PerPage => "per_page",
        }
    }

    /// The field called `key`; None for a name this version does not know
    /// (or an error that names no field).
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.key() == key)
    }

    /// What a person calls the field.
    pub const fn label(self) -> &'static str {
        match self {
            FormField::Username => "Username",
            FormField::Email => "Email address",
            FormField::Name => "Name",
            FormField::Phone => "Phone number",
            FormField::PhoneExt => "Phone extension",
            FormField::Roles => "Roles",
            FormField::Teams => "Teams",
            FormField::Active => "Active",
            FormField::Password => "Password",
            FormField::ConfirmUsername => "Username to confirm",
            FormField::Selection => "Selected users",
            FormField::Token => "Link",
            FormField::CurrentPassword => "Current password",
            FormField::NewPassword => "New password",
            FormField::ConfirmPassword => "Confirm new password",
            FormField::MessageBody => "Message",
            FormField::Login => "Username or email",
            FormField::Search => "Search",
            FormField::Status => "Status",
            FormField::Role => "Role",
            FormField::Team => "Team",
            FormField::SignedIn => "Signed in",
            FormField::Deleted => "Deleted users",
            FormField::Sort => "Sort by",
            FormField::SortDirection => "Sort direction",
            FormField::Page => "Page",
            FormField::PerPage => "Users per page",
        }
    }
}

impl From<FormField> for &'static str {
    fn from(value: FormField) -> Self {
        value.key()
    }
}

impl TryFrom<String> for FormField {
    type Error = UnknownFormField;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::from_key(&value).ok_or(UnknownFormField(value))
    }
}

impl std::fmt::Display for FormField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `field` is in [`FormField::ALL`], in a constant context
    /// (where `==` is not available: the discriminants are compared).
    const fn in_all(field: FormField) -> bool {
        let mut i = 0;
        while i < FormField::ALL.len() {
            if FormField::ALL[i] as usize == field as usize {
                return true;
            }
            i += 1;
        }
        false
    }

    /// Names every variant twice: in an exhaustive `match`, so a new variant
    /// does not compile until it is named here, and in a compile-time
    /// assertion, so it then does not compile until it is in `ALL`.
    macro_rules! every_variant_is_in_all {
        ($($variant:ident),* $(,)?) => {
            $(const _: () = assert!(in_all(FormField::$variant));)*

            #[allow(dead_code)]
            fn exhaustive(field: FormField) {
                match field {
                    $(FormField::$variant => {})*
                }
            }
        };
    }

    every_variant_is_in_all!(
        Username,
        Email,
        Name,
        Phone,
        PhoneExt,
        Roles,
        Teams,
        Active,
        Password,
        ConfirmUsername,
        Selection,
        Token,
        CurrentPassword,
        NewPassword,
        ConfirmPassword,
        MessageBody,
        Login,
        Search,
        Status,
        Role,
        Team,
        SignedIn,
        Deleted,
        Sort,
        SortDirection,
        Page,
        PerPage,
    );

    #[test]
    fn keys_round_trip_and_are_unique() {
        for field in FormField::ALL {
            assert_eq!(FormField::from_key(field.key()), Some(field));
        }
        let mut keys: Vec<_> = FormField::ALL.iter().map(|f| f.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), FormField::ALL.len());
        assert_eq!(FormField::from_key("shoe_size"), None);
        assert_eq!(FormField::from_key(""), None);
    }

    #[test]
    fn every_field_has_a_label() {
        for field in FormField::ALL {
            let label = field.label();
            assert!(!label.trim().is_empty(), "{field:?}");
            assert_eq!(label, label.trim(), "{field:?}");
        }
    }

    /// The keys forms, URLs, API clients and the API tests already use.
    #[test]
    fn keys_are_the_wire_names() {
        assert_eq!(FormField::Email.key(), "email");
        assert_eq!(FormField::PhoneExt.key(), "phone_ext");
        assert_eq!(FormField::NewPassword.key(), "new_password");
        assert_eq!(FormField::MessageBody.key(), "body");
        assert_eq!(FormField::Search.key(), "q");
        assert_eq!(FormField::SortDirection.key(), "dir");
        assert_eq!(FormField::PerPage.key(), "per_page");
    }

    #[test]
    fn serialises_as_its_key() {
        assert_eq!(
            serde_json::to_string(&FormField::ConfirmPassword).unwrap(),
            "\"confirm_password\""
        );
        let f: FormField = serde_json::from_str("\"signed_in\"").unwrap();
        assert_eq!(f, FormField::SignedIn);
        assert!(serde_json::from_str::<FormField>("\"shoe_size\"").is_err());
    }
}
