//! Reading requests the way the platforms do: the bearer token, the host
//! the client called, form pairs and multipart parts.
//!
//! Invariants: nothing here answers a request or touches state; a body
//! that cannot be read yields nothing rather than an error, and each
//! platform answers that in its own words.

use axum::body::Bytes;
use axum::http::{header, HeaderMap};

/// The token of an `Authorization: Bearer …` header.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, tok) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| tok.trim().to_owned())
}

/// The host the client called (for URLs in answers that point back here).
pub(crate) fn host(headers: &HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_owned()
}

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
