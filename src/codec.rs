//! The encoding of the server functions' answers: JSON, as leptos' own, but read in the browser
//! as text (`serde_json::from_str`), the way leptos reads the data a page was rendered with.
//!
//! Why not leptos' `Json`: it reads answers from bytes (`serde_json::from_slice`), so every type
//! a page both hydrates and fetches again (a home's summary, a list's page of tickets, each
//! status and priority in them) had its whole deserialiser compiled into the client twice, once
//! per reader. Reading both as text halves that code; a home's client was about a tenth larger.

use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// JSON read as text: see the module's note.
pub struct TextJson;

/// What every server function answers in (`#[server(…, output = crate::codec::Json)]`).
pub type Json = Post<TextJson>;

impl ContentType for TextJson {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for TextJson {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for TextJson {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for TextJson {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(<serde_json::Error as serde::de::Error>::custom)?;
        serde_json::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::TextJson;
    use crate::error::AppError;
    use leptos::server_fn::{Decodes, Encodes};

    #[test]
    fn an_answer_read_back_is_the_answer_and_bad_bytes_are_an_error() {
        let error = AppError::invalid("title", "Give the ticket a title.");
        let bytes = <TextJson as Encodes<AppError>>::encode(&error).unwrap();
        assert_eq!(<TextJson as Decodes<AppError>>::decode(bytes).unwrap(), error);
        let rows = vec![(1_i64, "é ✓".to_string())];
        let bytes = <TextJson as Encodes<_>>::encode(&rows).unwrap();
        assert_eq!(<TextJson as Decodes<Vec<(i64, String)>>>::decode(bytes).unwrap(), rows);
        assert!(<TextJson as Decodes<AppError>>::decode(vec![0xff, 0xfe].into()).is_err());
        assert!(<TextJson as Decodes<AppError>>::decode(b"{\"kind\":".to_vec().into()).is_err());
    }
}
