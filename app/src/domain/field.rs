use crate::domain::closed_set;

closed_set! {
    /// A field an error can belong to: a form field, or a URL parameter of the
    /// Users table's view. [`crate::error::AppError`] carries
    /// [`FormField::key`] to the browser, which shows the message next to the
    /// field of that name (see `components::form_errors`); API clients read the
    /// same key in an error's `field`.
    ///
    /// Keys are never renamed: forms, API clients and tests match on them.
    /// Adding a variant is one line below, with its key and its label;
    /// `closed_set!` derives the rest, `ALL` included.
    pub enum FormField, unknown UnknownFormField, text label {
        // A user's profile (New User, the user page).
        Username = "username" => "Username",
        Email = "email" => "Email address",
        Name = "name" => "Name",
        Phone = "phone" => "Phone number",
        PhoneExt = "phone_ext" => "Phone extension",
        Roles = "roles" => "Roles",
        Teams = "teams" => "Teams",
        /// The user page's Active checkbox.
        Active = "active" => "Active",
        /// A password an administrator sets: New User's temporary password, Set
        /// Password.
        Password = "password" => "Password",
        /// The username typed to confirm Delete permanently.
        ConfirmUsername = "confirm_username" => "Username to confirm",
        /// The users a bulk action or message applies to.
        Selection = "selection" => "Selected users",
        /// The token of an emailed link (invitation, reset, temporary login).
        Token = "token" => "Link",
        // Choosing one's own password.
        CurrentPassword = "current_password" => "Current password",
        NewPassword = "new_password" => "New password",
        ConfirmPassword = "confirm_password" => "Confirm new password",
        /// A message's text.
        MessageBody = "body" => "Message",
        /// "Forgot password?": the username or email address.
        Login = "login" => "Username or email",
        // A role or team (their pages, New Role, New Team, Copy).
        /// A role's or team's name.
        GroupName = "group_name" => "Name",
        Description = "description" => "Description",
        /// A role's permissions.
        Permissions = "permissions" => "Permissions",
        /// The role a deleted role's users move to.
        MoveTo = "move_to" => "Move its users to",
        /// The users Add Members adds to a team.
        Members = "members" => "Members",
        // The Users table's view, as URL parameters.
        /// `q`: the search text.
        Search = "q" => "Search",
        Status = "status" => "Status",
        Role = "role" => "Role",
        Team = "team" => "Team",
        SignedIn = "signed_in" => "Signed in",
        /// `deleted`: whether deleted users are shown too.
        Deleted = "deleted" => "Deleted users",
        Sort = "sort" => "Sort by",
        /// `dir`: ascending or descending.
        SortDirection = "dir" => "Sort direction",
        Page = "page" => "Page",
        PerPage = "per_page" => "Users per page",
        // The Audit page's view, as URL parameters.
        /// Who acted (a username).
        Actor = "actor" => "Actor",
        /// Whom an entry is about (a username).
        Target = "target" => "Target user",
        AuditAction = "action" => "Action",
        Since = "since" => "From",
        Until = "until" => "To",
        Impersonated = "impersonated" => "While impersonating",
        /// The page of entries older than this entry.
        Before = "before" => "Before entry",
        /// The page of entries newer than this entry.
        After = "after" => "After entry",
        /// `at=oldest`: the last page.
        At = "at" => "Page",
        /// Why an administrator logs in as a user ("Login as").
        Reason = "reason" => "Reason",
        /// How long a new API token lives.
        Expiry = "days" => "Expires in",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
