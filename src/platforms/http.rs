//! The HTTP client every platform client uses: rustls, the channel's
//! timeout and egress proxy, and one place that turns transport failures
//! into [`PlatformError`]s by asking "could the request have reached the
//! platform?".

use super::{Endpoints, PlatformError};
use chrono::{DateTime, TimeZone, Utc};
use std::time::Duration;

/// Builds the channel's client. Proxies may be `http://`, `https://` or
/// `socks5://` (`socks5h://` resolves names at the proxy).
pub fn build(endpoints: &Endpoints) -> Result<reqwest::Client, PlatformError> {
    let mut b = reqwest::Client::builder()
        .use_rustls_tls()
        .timeout(endpoints.timeout)
        .connect_timeout(Duration::from_secs(10).min(endpoints.timeout))
        .user_agent(concat!("Tongbu/", env!("CARGO_PKG_VERSION")))
        // Redirects on API calls would re-send bodies to places we did not
        // choose; the platforms' APIs do not redirect.
        .redirect(reqwest::redirect::Policy::none());
    match endpoints.proxy.as_deref().map(str::trim) {
        Some(p) if !p.is_empty() => {
            let proxy = parse_proxy(p).map_err(PlatformError::permanent)?;
            b = b.proxy(proxy);
        }
        // No proxy configured means direct: environment proxies must not
        // silently reroute one channel's traffic.
        _ => b = b.no_proxy(),
    }
    b.build()
        .map_err(|e| PlatformError::permanent(format!("cannot build the HTTP client: {e}")))
}

/// Checks a proxy address: scheme, host and port, nothing else.
pub fn parse_proxy(text: &str) -> Result<reqwest::Proxy, String> {
    let url = url::Url::parse(text).map_err(|_| format!("\"{text}\" is not a proxy address"))?;
    match url.scheme() {
        "http" | "https" | "socks5" | "socks5h" => {}
        other => {
            return Err(format!(
                "proxy scheme \"{other}\" is not supported: use http://, https:// or socks5://"
            ))
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the proxy address needs a host".to_owned());
    }
    reqwest::Proxy::all(url.as_str()).map_err(|e| format!("proxy: {e}"))
}

/// Whether a failed request was a create (publishing something) or a read:
/// an ambiguous failure of a create is `Unknown`, of a read just retryable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    Create,
    Read,
}

/// Classifies a transport error. The text is built from the error's
/// causes only: reqwest's own message includes the URL, which may carry an
/// access token in its query.
pub fn transport_error(e: &reqwest::Error, call: Call) -> PlatformError {
    if e.is_connect() {
        // The connection never opened: nothing reached the platform.
        return PlatformError::retry(format!("cannot connect: {}", root_cause(e)));
    }
    if e.is_builder() {
        return PlatformError::permanent(format!("invalid request: {}", root_cause(e)));
    }
    let what = if e.is_timeout() {
        "no answer before the timeout".to_owned()
    } else {
        format!("the connection failed mid-request: {}", root_cause(e))
    };
    match call {
        Call::Create => PlatformError::unknown(what),
        Call::Read => PlatformError::retry(what),
    }
}

fn root_cause(e: &dyn std::error::Error) -> String {
    let mut cur: &dyn std::error::Error = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// A unix-seconds header (`x-rate-limit-reset`) as a time.
pub fn epoch_header(headers: &reqwest::header::HeaderMap, name: &str) -> Option<DateTime<Utc>> {
    let secs: i64 = headers.get(name)?.to_str().ok()?.trim().parse().ok()?;
    Utc.timestamp_opt(secs, 0).single()
}

/// An answer that arrived, whatever its status.
pub struct Answer {
    pub status: reqwest::StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

/// Sends a request and reads the whole answer; only a transport failure is
/// an error here (classified by [`transport_error`]).
pub async fn exchange(req: reqwest::RequestBuilder, call: Call) -> Result<Answer, PlatformError> {
    let resp = req.send().await.map_err(|e| transport_error(&e, call))?;
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.text().await.map_err(|e| transport_error(&e, call))?;
    Ok(Answer {
        status,
        headers,
        body,
    })
}

impl Answer {
    /// The body as JSON when the status is a success, else what `classify`
    /// makes of the answer. An unreadable success body of a create is
    /// `Unknown`: the platform accepted something.
    pub fn into_json(
        self,
        call: Call,
        platform: &str,
        classify: impl FnOnce(&Answer) -> PlatformError,
    ) -> Result<serde_json::Value, PlatformError> {
        if !self.status.is_success() {
            return Err(classify(&self));
        }
        serde_json::from_str(&self.body).map_err(|_| match call {
            Call::Create => PlatformError::unknown(format!(
                "{platform} accepted the request but its answer could not be read"
            )),
            Call::Read => PlatformError::retry(format!("{platform}'s answer could not be read")),
        })
    }

    /// A header's text, trimmed.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok().map(str::trim)
    }
}

/// An id the platform sent as a string or a number (WeChat's and X's docs
/// disagree with their answers on some ids).
pub fn id_string(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A non-empty text field of an answer; its absence is retryable (the
/// platform answered, but not what was asked).
pub fn text_field<'a>(
    v: &'a serde_json::Value,
    key: &str,
    platform: &str,
) -> Result<&'a str, PlatformError> {
    v.get(key)
        .and_then(serde_json::Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| PlatformError::retry(format!("{platform}'s answer had no {key}")))
}
