//! Where a server function's error is shown on a form: next to the field it
//! names, or above the form's button when it names none of the form's
//! fields.

use crate::error::AppError;

/// The message of `result`'s error if it belongs to `field`.
pub fn error_on<T>(result: Option<Result<T, AppError>>, field: &str) -> Option<String> {
    result
        .and_then(Result::err)
        .filter(|e| e.field() == Some(field))
        .map(|e| e.to_string())
}

/// The message of `result`'s error if it belongs to none of `fields`.
pub fn error_elsewhere<T>(result: Option<Result<T, AppError>>, fields: &[&str]) -> Option<String> {
    result
        .and_then(Result::err)
        .filter(|e| !e.field().is_some_and(|f| fields.contains(&f)))
        .map(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_go_to_their_field_or_above_the_button() {
        let on_name = Some(Err::<(), _>(AppError::validation("name", "Too short.")));
        assert_eq!(
            error_on(on_name.clone(), "name").as_deref(),
            Some("Too short.")
        );
        assert_eq!(error_on(on_name.clone(), "email"), None);
        assert_eq!(error_elsewhere(on_name.clone(), &["name"]), None);
        assert_eq!(
            error_elsewhere(on_name, &["email"]).as_deref(),
            Some("Too short.")
        );
        assert_eq!(error_elsewhere(Some(Ok::<(), AppError>(())), &[]), None);
    }
}
