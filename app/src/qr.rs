//! QR codes of addresses, drawn as one SVG path (no image, no script).

use qrcodegen::{QrCode, QrCodeEcc};

/// The light margin around a code, in modules (the standard's minimum).
const QUIET_ZONE: i32 = 4;

/// A QR code of `text`: the side of its SVG view box, and the path of its
/// dark modules (one unit square each).
pub fn svg_path(text: &str) -> Option<(i32, String)> {
    let code = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let size = code.size();
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if code.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + QUIET_ZONE, y + QUIET_ZONE));
            }
        }
    }
    Some((size + 2 * QUIET_ZONE, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_draw_an_address_as_a_square_of_modules() {
        let (side, path) = svg_path("0x3535353535353535353535353535353535353535").expect("a code");
        // 42 characters at level M: version 3, 29 modules a side.
        assert_eq!(side, 29 + 8);
        assert!(
            path.starts_with("M4,4h1v1h-1z"),
            "the finder pattern's corner"
        );
        assert!(path.matches('M').count() > 29 * 29 / 3);
    }

    #[test]
    fn should_give_up_on_text_too_long_for_any_code() {
        assert_eq!(svg_path(&"x".repeat(8_000)), None);
    }
}
