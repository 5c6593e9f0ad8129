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
