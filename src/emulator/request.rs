//! Reading request bodies the way the platforms do: form pairs, multipart
//! parts and the size and type of an uploaded image.
//!
//! Invariants: nothing here answers a request or touches state; a body
//! that cannot be read yields nothing rather than an error, and each
//! platform answers that in its own words.

use axum::body::Bytes;
use axum::http::HeaderMap;

/// Parses `a=b&c=d` into pairs (later duplicates win in maps built from it).
pub(crate) fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// One part of a multipart body.
pub(crate) struct Part {
    pub name: String,
    pub data: Bytes,
    pub content_type: Option<String>,
}

/// Parses a multipart body already read into memory (the raw bytes are
/// kept for the ledger hash).
pub(crate) async fn multipart_parts(headers: &HeaderMap, body: Bytes) -> Option<Vec<Part>> {
    use axum::extract::FromRequest;
    let mut req = axum::http::Request::new(axum::body::Body::from(body));
    if let Some(ct) = headers.get(axum::http::header::CONTENT_TYPE) {
        req.headers_mut()
            .insert(axum::http::header::CONTENT_TYPE, ct.clone());
    }
    let mut mp = axum::extract::Multipart::from_request(req, &())
        .await
        .ok()?;
    let mut parts = Vec::new();
    while let Ok(Some(field)) = mp.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        let content_type = field.content_type().map(str::to_owned);
        let data = field.bytes().await.ok()?;
        parts.push(Part {
            name,
            data,
            content_type,
        });
    }
    Some(parts)
}

/// Width, height and MIME type of a PNG, GIF or JPEG image, when readable.
pub(crate) fn image_info(data: &[u8]) -> Option<(&'static str, u32, u32)> {
    if data.len() >= 24 && data.starts_with(b"\x89PNG\r\n\x1a\n") {
        let w = u32::from_be_bytes([data[16], data[17], data[18], data[19]]);
        let h = u32::from_be_bytes([data[20], data[21], data[22], data[23]]);
        return Some(("image/png", w, h));
    }
    if data.len() >= 10 && (data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a")) {
        let w = u16::from_le_bytes([data[6], data[7]]) as u32;
        let h = u16::from_le_bytes([data[8], data[9]]) as u32;
        return Some(("image/gif", w, h));
    }
    if data.starts_with(&[0xFF, 0xD8]) {
        // Walk the JPEG segments to the first start-of-frame marker.
        let mut i = 2;
        while i + 9 < data.len() {
            if data[i] != 0xFF {
                return None;
            }
            let marker = data[i + 1];
            let len = u16::from_be_bytes([data[i + 2], data[i + 3]]) as usize;
            if matches!(marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF) {
                let h = u16::from_be_bytes([data[i + 5], data[i + 6]]) as u32;
                let w = u16::from_be_bytes([data[i + 7], data[i + 8]]) as u32;
                return Some(("image/jpeg", w, h));
            }
            i += 2 + len;
        }
        return Some(("image/jpeg", 0, 0));
    }
    None
}
