//! A string that must not end up in logs: a password on its way to being
//! checked. `Debug` prints `[redacted]`; there is no `Display`. Serialised
//! as the plain string, since it travels from the browser to the server.
//! (`NewPassword` is the parsed form; a `Secret` is what arrives before the
//! server has parsed it, so a refusal can name its field.)

use serde::{Deserialize, Serialize};

#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn debug_output_never_shows_the_secret() {
        let secret = Secret::new("Copper-Kettle-Morning-88");
        assert_eq!(format!("{secret:?}"), "[redacted]");
        assert_eq!(format!("{:?}", Some(&secret)), "Some([redacted])");
        assert_eq!(
            serde_json::to_string(&secret).unwrap(),
            "\"Copper-Kettle-Morning-88\""
        );
    }
}
