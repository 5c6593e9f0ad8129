//! Refuses state-changing requests that a browser sent from another site.
//!
//! Modern browsers label every request with `Sec-Fetch-Site`; older ones at
//! least send `Origin` on cross-origin POSTs. A request carrying neither is
//! not from a browser page (curl, scripts) and carries no ambient cookie
//! authority worth forging. Bearer-token requests without cookies are exempt:
//! a token cannot be attached by another site.

use super::super::error::ApiError;
use super::super::state::AppState;
use crate::domain::AppError;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn refuse_cross_site(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if is_safe_method(req.method())
        || !is_cross_site(req.headers(), state.config.public_url.as_deref())
    {
        return next.run(req).await;
    }
    tracing::warn!(method = %req.method(), path = %req.uri().path(), "refused a cross-site request");
    ApiError(AppError::CrossSite).into_response()
}

fn is_safe_method(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether a state-changing request must be refused.
pub fn is_cross_site(headers: &HeaderMap, public_url: Option<&str>) -> bool {
    let has_cookie = headers.contains_key(header::COOKIE);
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer "));
    if bearer && !has_cookie {
        return false;
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        // "none" is a navigation the person started (typed URL, bookmark).
        return !matches!(site, "same-origin" | "none");
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => false,
        Some(origin) => !origin_matches(origin, headers, public_url),
    }
}

fn origin_matches(origin: &str, headers: &HeaderMap, public_url: Option<&str>) -> bool {
    if origin == "null" {
        return false;
    }
    if let Some(public) = public_url {
        if let (Ok(a), Ok(b)) = (url::Url::parse(origin), url::Url::parse(public)) {
            if a.origin() == b.origin() {
                return true;
            }
        }
    }
    // Without a configured public URL, the Host the browser used is the
    // site; the Origin's host and port must be exactly that.
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    match url::Url::parse(origin) {
        Ok(u) => {
            let origin_host = match (u.host_str(), u.port()) {
                (Some(h), Some(p)) => format!("{h}:{p}"),
                (Some(h), None) => h.to_owned(),
                _ => return false,
            };
            origin_host.eq_ignore_ascii_case(host)
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn same_origin_requests_pass() {
        assert!(!is_cross_site(
            &headers(&[("sec-fetch-site", "same-origin")]),
            None
        ));
        assert!(!is_cross_site(
            &headers(&[
                ("origin", "http://127.0.0.1:3000"),
                ("host", "127.0.0.1:3000")
            ]),
            None
        ));
        assert!(!is_cross_site(
            &headers(&[("origin", "https://t.example"), ("host", "internal:3000")]),
            Some("https://t.example")
        ));
    }

    #[test]
    fn other_sites_are_refused() {
        assert!(is_cross_site(
            &headers(&[("sec-fetch-site", "cross-site")]),
            None
        ));
        assert!(is_cross_site(
            &headers(&[("sec-fetch-site", "same-site")]),
            None
        ));
        assert!(is_cross_site(
            &headers(&[
                ("origin", "https://evil.example"),
                ("host", "127.0.0.1:3000")
            ]),
            None
        ));
        assert!(is_cross_site(
            &headers(&[("origin", "null"), ("host", "127.0.0.1:3000")]),
            None
        ));
        // A port is part of the origin.
        assert!(is_cross_site(
            &headers(&[
                ("origin", "http://127.0.0.1:4000"),
                ("host", "127.0.0.1:3000")
            ]),
            None
        ));
    }

    #[test]
    fn bearer_requests_without_cookies_are_exempt_but_cookies_are_not() {
        assert!(!is_cross_site(
            &headers(&[
                ("authorization", "Bearer tb_x"),
                ("origin", "https://evil.example")
            ]),
            None
        ));
        assert!(is_cross_site(
            &headers(&[
                ("authorization", "Bearer tb_x"),
                ("cookie", "tongbu_session=abc"),
                ("origin", "https://evil.example"),
                ("host", "127.0.0.1:3000"),
            ]),
            None
        ));
    }
}
