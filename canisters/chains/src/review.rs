//! Reviews (what a person is shown before approving a signature, the
//! `sigil_api` record) are made from the very bytes that will be signed;
//! [`plain_text`] writes the texts they quote so that nothing in them can
//! hide or reorder what is shown.

pub use sigil_api::identity_manager::{Review, ReviewField};

/// `text` with every character that could hide or reorder what is shown
/// (control characters, bidirectional overrides and isolates, zero-width
/// characters) written as `\u{…}`, so that a review reads as it is signed.
pub fn plain_text(text: &str) -> String {
    let mut shown = String::with_capacity(text.len());
    for c in text.chars() {
        if is_hidden(c) {
            shown.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            shown.push(c);
        }
    }
    shown
}

/// The review of a message to sign: its text line by line when it is
/// UTF-8 (hidden characters escaped), otherwise its bytes in hexadecimal.
pub fn message_review(title: &str, signer: &str, message: &[u8]) -> Review {
    let mut review = Review::new(title);
    review.field("Address", signer);
    match std::str::from_utf8(message) {
        Ok(text) => {
            let lines: Vec<String> = text.split('\n').map(plain_text).collect();
            review.field("Message", lines.join("\n"));
        }
        Err(_) => {
            review.field("Message (bytes)", format!("0x{}", hex::encode(message)));
            review.warn("The message is not text: make sure you know what these bytes are.");
        }
    }
    review.field("Length", format!("{} bytes", message.len()));
    review
}

fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_show_a_message_as_text_lines_or_as_bytes() {
        let review = message_review("Sign a message", "0xabc", b"Sign in\nNonce: 1\r");
        assert_eq!(review.value_of("Message"), Some("Sign in\nNonce: 1\\u{d}"));
        assert_eq!(review.value_of("Length"), Some("17 bytes"));
        assert!(review.warnings.is_empty());
        let review = message_review("Sign a message", "0xabc", &[0xff, 0x00]);
        assert_eq!(review.value_of("Message (bytes)"), Some("0xff00"));
        assert_eq!(review.warnings.len(), 1);
    }

    #[test]
    fn should_show_hidden_characters_as_escapes() {
        assert_eq!(plain_text("Hello, Bob!"), "Hello, Bob!");
        assert_eq!(plain_text("Grüße 👋"), "Grüße 👋");
        assert_eq!(plain_text("pay\u{202e}evil"), "pay\\u{202e}evil");
        assert_eq!(plain_text("a\nb\u{0}"), "a\\u{a}b\\u{0}");
        assert_eq!(plain_text("zero\u{200b}width"), "zero\\u{200b}width");
    }
}
