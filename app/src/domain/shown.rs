//! Someone's input, as an error message quotes it back.

/// The most of someone's input an error message quotes.
pub const SHOWN_LEN: usize = 40;

/// `text` as an error message quotes it: characters that would not show
/// (control and formatting characters: NUL, line breaks, right-to-left
/// overrides) written as escapes such as `\0` or `\u{202e}`, and cut with
/// "…" where it would pass [`SHOWN_LEN`] characters, escapes included. So
/// a refusal stays one readable line whatever was sent, and cannot be made
/// to say something else.
pub fn shown(text: &str) -> String {
    let mut quoted = String::new();
    let mut length = 0;
    for c in text.chars() {
        let piece = shown_char(c);
        length += piece.chars().count();
        if length > SHOWN_LEN {
            quoted.push('…');
            break;
        }
        quoted.push_str(&piece);
    }
    quoted
}

/// One character as [`shown`] writes it.
pub fn shown_char(c: char) -> String {
    // `escape_debug` also escapes quotes and backslashes, which show.
    if matches!(c, '\'' | '"' | '\\') {
        return c.to_string();
    }
    c.escape_debug().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_characters_are_escaped_and_long_input_is_cut() {
        assert_eq!(shown("ann\0\n"), "ann\\0\\n");
        assert_eq!(shown("evil\u{202e}txt"), "evil\\u{202e}txt");
        assert_eq!(shown("O'Brien \"x\" a\\b"), "O'Brien \"x\" a\\b");
        assert_eq!(shown("Zoë 山田"), "Zoë 山田");
        let long = "x".repeat(100);
        assert_eq!(shown(&long), format!("{}…", "x".repeat(SHOWN_LEN)));
        assert_eq!(shown_char('\u{7f}'), "\\u{7f}");
        let escapes = "\0".repeat(30);
        assert_eq!(shown(&escapes), format!("{}…", "\\0".repeat(SHOWN_LEN / 2)));
    }
}
