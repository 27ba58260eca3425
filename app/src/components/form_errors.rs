//! Where a server function's error is shown on a form: next to the field it
//! names, or above the form's button when it names none of the form's
//! fields.

use crate::domain::FormField;
use crate::error::AppError;

/// The message of `result`'s error if it belongs to `field`.
pub fn error_on<T>(result: Option<Result<T, AppError>>, field: FormField) -> Option<String> {
    result
        .and_then(Result::err)
        .filter(|e| e.field() == Some(field.key()))
        .map(|e| e.to_string())
}

/// The message of `result`'s error if it belongs to none of `fields`.
pub fn error_elsewhere<T>(
    result: Option<Result<T, AppError>>,
    fields: &[FormField],
) -> Option<String> {
    result
        .and_then(Result::err)
        .filter(|e| {
            !e.field()
                .is_some_and(|f| fields.iter().any(|field| field.key() == f))
        })
        .map(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_go_to_their_field_or_above_the_button() {
        let on_name = Some(Err::<(), _>(AppError::validation(
            FormField::Name,
            "Too short.",
        )));
        assert_eq!(
            error_on(on_name.clone(), FormField::Name).as_deref(),
            Some("Too short.")
        );
        assert_eq!(error_on(on_name.clone(), FormField::Email), None);
        assert_eq!(error_elsewhere(on_name.clone(), &[FormField::Name]), None);
        assert_eq!(
            error_elsewhere(on_name, &[FormField::Email]).as_deref(),
            Some("Too short.")
        );
        assert_eq!(error_elsewhere(Some(Ok::<(), AppError>(())), &[]), None);
    }

    #[test]
    fn errors_naming_no_known_field_go_above_the_button() {
        // Arguments that did not parse: a validation error with no field.
        let unnamed = Some(Err::<(), _>(AppError::Validation {
            field: String::new(),
            message: "Bad request.".to_owned(),
        }));
        assert_eq!(error_on(unnamed.clone(), FormField::Name), None);
        assert_eq!(
            error_elsewhere(unnamed, &[FormField::Name, FormField::Email]).as_deref(),
            Some("Bad request.")
        );
        let stale = Some(Err::<(), _>(AppError::Conflict {
            field: None,
            message: "Changed meanwhile.".to_owned(),
        }));
        assert_eq!(
            error_elsewhere(stale, &FormField::ALL).as_deref(),
            Some("Changed meanwhile.")
        );
    }
}
