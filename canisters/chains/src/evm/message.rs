//! EIP-191 version `0x45` ("personal_sign"): what an account signs when a
//! dapp asks it to sign a message, and the text form the message arrives
//! in.

use super::keccak256;

/// Keccak-256 of `"\x19Ethereum Signed Message:\n" · len(message) ·
/// message`, the length in decimal ASCII.
pub fn personal_message_hash(message: &[u8]) -> [u8; 32] {
    let mut prefixed = format!("\x19Ethereum Signed Message:\n{}", message.len()).into_bytes();
    prefixed.extend_from_slice(message);
    keccak256(&prefixed)
}

/// The bytes of a `personal_sign` message as a dapp passes it: `0x` and
/// an even number of hexadecimal digits are those bytes; anything else is
/// UTF-8 text and signed as such (as wallets do).
pub fn personal_message_bytes(text: &str) -> Vec<u8> {
    text.strip_prefix("0x")
        .filter(|digits| digits.len() % 2 == 0)
        .and_then(|digits| hex::decode(digits).ok())
        .unwrap_or_else(|| text.as_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_hash_hello_world_as_wallets_do() {
        assert_eq!(
            hex::encode(personal_message_hash(b"Hello World")),
            "a1de988600a42c4b4ab089b619297c17d53cffae5d5120d82d8a92d0bb3b78f2"
        );
    }

    #[test]
    fn should_count_the_length_in_bytes_not_characters() {
        let text = "Grüße";
        let mut prefixed = b"\x19Ethereum Signed Message:\n7".to_vec();
        prefixed.extend_from_slice(text.as_bytes());
        assert_eq!(personal_message_hash(text.as_bytes()), keccak256(&prefixed));
    }

    #[test]
    fn should_read_hex_messages_as_bytes_and_anything_else_as_text() {
        assert_eq!(personal_message_bytes("0x48656c6c6f"), b"Hello");
        assert_eq!(personal_message_bytes("0x"), b"");
        assert_eq!(personal_message_bytes("Hello"), b"Hello");
        assert_eq!(
            personal_message_bytes("0x123"),
            b"0x123",
            "odd digits are text"
        );
        assert_eq!(personal_message_bytes("0xzz"), b"0xzz", "not hex: text");
        assert_eq!(personal_message_bytes("0x+1"), b"0x+1", "no signs in hex");
        assert_eq!(personal_message_bytes("0xé1"), "0xé1".as_bytes());
    }
}
