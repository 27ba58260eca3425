//! The fields of a user's profile, as New User and the user page edit them,
//! checked as you type by the same domain rules the server applies again.

use leptos::prelude::*;

use crate::components::{ChoiceList, TextField};
use crate::domain::{EmailAddress, FormField, PersonName, Phone, PhoneExt, Username};

/// The form's values and whether it has been sent once (empty required
/// fields are pointed out only then).
#[derive(Clone, Copy)]
pub struct ProfileDraft {
    pub username: RwSignal<String>,
    pub email: RwSignal<String>,
    pub name: RwSignal<String>,
    pub phone: RwSignal<String>,
    pub phone_ext: RwSignal<String>,
    pub roles: RwSignal<Vec<String>>,
    pub teams: RwSignal<Vec<String>>,
    pub submitted: RwSignal<bool>,
}

/// Starting values of a [`ProfileDraft`].
#[derive(Debug, Clone, Default)]
pub struct ProfileValues {
    pub username: String,
    pub email: String,
    pub name: String,
    pub phone: String,
    pub phone_ext: String,
    pub roles: Vec<String>,
    pub teams: Vec<String>,
}

/// The fields the New User form and the user page show their errors on
/// (the profile, Active, and New User's temporary password); an error on
/// any other field is shown above the form's button.
pub const PROFILE_FIELDS: [FormField; 9] = [
    FormField::Username,
    FormField::Email,
    FormField::Name,
    FormField::Phone,
    FormField::PhoneExt,
    FormField::Roles,
    FormField::Teams,
    FormField::Active,
    FormField::Password,
];

/// The fields of the draft checked before sending, for
/// [`ProfileDraft::error`].
const FIELDS: [FormField; 6] = [
    FormField::Username,
    FormField::Email,
    FormField::Name,
    FormField::Phone,
    FormField::PhoneExt,
    FormField::Roles,
];

impl ProfileDraft {
    pub fn new(values: ProfileValues) -> Self {
        ProfileDraft {
            username: RwSignal::new(values.username),
            email: RwSignal::new(values.email),
            name: RwSignal::new(values.name),
            phone: RwSignal::new(values.phone),
            phone_ext: RwSignal::new(values.phone_ext),
            roles: RwSignal::new(values.roles),
            teams: RwSignal::new(values.teams),
            submitted: RwSignal::new(false),
        }
    }

    /// What is wrong with `field` as typed, if anything.
    pub fn error(&self, field: FormField) -> Option<String> {
        let text = |signal: RwSignal<String>| signal.get();
        let shown = |value: &str| self.submitted.get() || !value.is_empty();
        let message =
            |result: Result<(), String>, value: &str| result.err().filter(|_| shown(value));
        match field {
            FormField::Username => {
                let v = text(self.username);
                message(Username::parse(&v).map(drop).map_err(|e| e.to_string()), &v)
            }
            FormField::Email => {
                let v = text(self.email);
                message(
                    EmailAddress::parse(&v).map(drop).map_err(|e| e.to_string()),
                    &v,
                )
            }
            FormField::Name => {
                let v = text(self.name);
                message(
                    PersonName::parse(&v).map(drop).map_err(|e| e.to_string()),
                    &v,
                )
            }
            FormField::Phone => Phone::parse_optional(&text(self.phone))
                .err()
                .map(|e| e.to_string()),
            FormField::PhoneExt => PhoneExt::parse_optional(&text(self.phone_ext))
                .err()
                .map(|e| e.to_string()),
            FormField::Roles => (self.submitted.get() && self.roles.with(Vec::is_empty))
                .then(|| "Choose at least one role.".to_owned()),
            _ => None,
        }
    }

    /// Marks the form sent and says whether it may go to the server.
    pub fn ready_to_send(&self) -> bool {
        self.submitted.set(true);
        FIELDS.into_iter().all(|f| self.error(f).is_none())
    }
}

/// Username, Email Address, Name, Phone #, Phone EXT, Roles and Teams, with
/// the draft's errors as you type and, after sending, the server's
/// (`server_error` of a field).
#[component]
pub fn ProfileFields(
    draft: ProfileDraft,
    role_options: Vec<String>,
    team_options: Vec<String>,
    #[prop(into)] server_error: Callback<FormField, Option<String>>,
    /// Why the roles cannot be changed here, if they cannot.
    #[prop(into, optional)]
    roles_fixed: MaybeProp<String>,
) -> impl IntoView {
    let error = move |field: FormField| {
        Signal::derive(move || draft.error(field).or_else(|| server_error.run(field)))
    };
    view! {
        <TextField
            label="Username"
            name="username"
            value=draft.username
            autocomplete="off"
            hint="Letters, digits, dots, dashes and underscores; used to sign in."
            required=true
            maxlength=64
            error=error(FormField::Username)
        />
        <TextField
            label="Email Address"
            name="email"
            value=draft.email
            input_type="email"
            autocomplete="off"
            required=true
            maxlength=254
            error=error(FormField::Email)
        />
        <TextField
            label="Name"
            name="name"
            value=draft.name
            autocomplete="off"
            hint="2 to 50 characters."
            required=true
            maxlength=50
            error=error(FormField::Name)
        />
        <div class="field-row">
            <TextField
                label="Phone #"
                name="phone"
                value=draft.phone
                input_type="tel"
                autocomplete="off"
                hint="Digits only; optional."
                maxlength=20
                error=error(FormField::Phone)
            />
            <TextField
                label="Phone EXT"
                name="phone_ext"
                value=draft.phone_ext
                autocomplete="off"
                hint="Digits only; optional."
                maxlength=10
                error=error(FormField::PhoneExt)
            />
        </div>
        <ChoiceList
            legend="Roles"
            name="roles"
            options=role_options
            chosen=draft.roles
            error=error(FormField::Roles)
            fixed=roles_fixed
        />
        <ChoiceList
            legend="Teams"
            name="teams"
            options=team_options
            chosen=draft.teams
            error=error(FormField::Teams)
            empty="There are no teams yet."
        />
    }
    .into_any()
}
