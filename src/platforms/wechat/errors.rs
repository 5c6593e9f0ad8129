//! Turns WeChat's error bodies (HTTP 200 with a non-zero `errcode`) into
//! [`PlatformError`]s following `platform-apis.md` §1.7 and §9.2.
//!
//! Invariants:
//! - Reasons are sentences for the person running the channel. The
//!   platform's code and message follow as a reference suffix; the request
//!   id WeChat appends to `errmsg` (" rid: <hex>") only ever appears there.
//! - A code that can mean "the publish call may have been processed" on the
//!   publishing call is `Unknown`, never `RetryAt` or `Permanent`:
//!   reconciliation on WeChat is exact and cheap (`draft/get`), a blind
//!   retry or a false failure are not.
//! - Nothing here sees a token or a secret: the inputs are the code and the
//!   platform's message only.

use super::super::http::Call;
use super::super::PlatformError;
use chrono::{DateTime, FixedOffset, NaiveTime, TimeZone, Utc};

/// China Standard Time: WeChat's daily quotas and its analytics dates follow
/// it (no daylight saving).
pub(super) const CHINA: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// Codes that mean "this access token is not (or no longer) valid": the
/// caller refreshes once and replays the call before giving up.
pub(super) const TOKEN_CODES: [i64; 4] = [40001, 40014, 41001, 42001];

/// Splits `"title size out of limit rid: 64f1..."` into the message and the
/// request id.
pub(super) fn split_rid(errmsg: &str) -> (&str, Option<&str>) {
    match errmsg.find(" rid: ") {
        Some(at) => {
            let rid = errmsg[at + " rid: ".len()..].trim();
            let msg = errmsg[..at].trim_end().trim_end_matches(',');
            (msg, (!rid.is_empty()).then_some(rid))
        }
        None => (errmsg.trim(), None),
    }
}

/// `readable` followed by the platform's code, message and request id.
pub(super) fn reason(readable: &str, code: i64, errmsg: &str) -> String {
    let (msg, rid) = split_rid(errmsg);
    let mut out = format!("{readable} (WeChat errcode {code}");
    if !msg.is_empty() {
        out.push_str(&format!(" \"{msg}\""));
    }
    if let Some(rid) = rid {
        out.push_str(&format!(", ref rid {rid}"));
    }
    out.push(')');
    out
}

/// The first IP address in an errmsg such as
/// `"invalid ip 203.0.113.9 ipv6 ::ffff:203.0.113.9, not in whitelist"`.
pub(super) fn reported_ip(errmsg: &str) -> Option<String> {
    let (msg, _) = split_rid(errmsg);
    msg.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .find(|w| w.parse::<std::net::IpAddr>().is_ok())
        .map(str::to_owned)
}

/// The start of the next day in China time, when daily quotas reset.
pub(super) fn next_china_midnight(now: DateTime<Utc>) -> DateTime<Utc> {
    let today = now.with_timezone(&CHINA).date_naive();
    today
        .succ_opt()
        .and_then(|d| {
            CHINA
                .from_local_datetime(&d.and_time(NaiveTime::MIN))
                .single()
        })
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now + chrono::TimeDelta::days(1))
}

/// The start of the next minute, when per-minute quotas reset.
pub(super) fn next_minute(now: DateTime<Utc>) -> DateTime<Utc> {
    let next = (now.timestamp().div_euclid(60) + 1) * 60;
    Utc.timestamp_opt(next, 0)
        .single()
        .unwrap_or(now + chrono::TimeDelta::minutes(1))
}

/// Errors shared by the token endpoint and every API call.
fn common(code: i64, errmsg: &str, now: DateTime<Utc>) -> Option<PlatformError> {
    let r = |readable: &str| reason(readable, code, errmsg);
    Some(match code {
        40013 => PlatformError::reauthorize(r(
            "WeChat does not recognise this AppID: check the app id in the channel settings",
        )),
        40125 => PlatformError::reauthorize(r(
            "WeChat refused the AppSecret (it may have been reset in the admin console): \
             enter the current AppSecret",
        )),
        40164 => {
            let ip = reported_ip(errmsg)
                .map(|ip| format!("this server's IP address {ip}"))
                .unwrap_or_else(|| "this server's IP address".to_owned());
            PlatformError::reauthorize(r(&format!(
                "WeChat only accepts calls from addresses on the account's IP whitelist, and \
                 {ip} is not on it: add it in the WeChat admin console under Settings and \
                 Development → Basic configuration → IP whitelist, then reconnect"
            )))
        }
        45009 => PlatformError::QuotaExhausted {
            until: next_china_midnight(now),
            reason: r("the account's daily WeChat API quota is used up until midnight China time"),
        },
        45011 => PlatformError::RetryAt {
            at: Some(next_minute(now)),
            reason: r("WeChat's per-minute API quota is used up"),
        },
        48001 => PlatformError::permanent(r(
            "this account may not use this WeChat API (an unverified account or a missing \
             permission)",
        )),
        48004 => PlatformError::permanent(r("WeChat has banned API access for this account")),
        50001 | 50002 => PlatformError::permanent(r(
            "WeChat restricts this account or app from using this API",
        )),
        _ => return None,
    })
}

/// An error body from `/cgi-bin/stable_token`.
pub(super) fn token_endpoint(code: i64, errmsg: &str, now: DateTime<Utc>) -> PlatformError {
    if let Some(e) = common(code, errmsg, now) {
        return e;
    }
    let r = |readable: &str| reason(readable, code, errmsg);
    match code {
        -1 => PlatformError::RetryAt {
            at: None,
            reason: r("WeChat's token service is busy"),
        },
        // On the token endpoint itself 40001 is a wrong secret, not a stale
        // token: refreshing cannot help.
        40001 => PlatformError::reauthorize(r(
            "WeChat refused the app credentials: check the AppID and AppSecret",
        )),
        _ => PlatformError::permanent(r("WeChat refused to issue an access token")),
    }
}

/// An error body from an API call. Token codes are handled (refresh and
/// replay) before this is reached; here they mean the refresh did not help.
pub(super) fn api(code: i64, errmsg: &str, call: Call, now: DateTime<Utc>) -> PlatformError {
    if let Some(e) = common(code, errmsg, now) {
        return e;
    }
    let r = |readable: &str| reason(readable, code, errmsg);
    if TOKEN_CODES.contains(&code) {
        return PlatformError::reauthorize(r(
            "WeChat still rejects the access token after a refresh",
        ));
    }
    let content = |readable: &str| PlatformError::permanent(r(readable));
    match code {
        -1 => match call {
            // "System busy" on the publish call does not prove nothing was
            // queued; reconciliation (draft/get) tells exactly.
            Call::Create => PlatformError::unknown(r(
                "WeChat answered \"system busy\" to the publish call; it may or may not have \
                 been published",
            )),
            Call::Read => PlatformError::RetryAt {
                at: None,
                reason: r("WeChat is busy"),
            },
        },
        40007 => {
            content("WeChat does not know this media id (the cover or draft no longer exists)")
        }
        40005 | 40113 => content("WeChat does not accept this file type for the cover image"),
        40009 => content("the cover image is too large for WeChat (at most 10 MB)"),
        45001 => content("the file is too large for WeChat"),
        45002 => content("the article is too long for WeChat (under 20,000 characters and 1 MB)"),
        45003 => content("the title is too long for WeChat (at most 32 characters)"),
        45004 => content("the digest is too long for WeChat (at most 128 characters)"),
        45110 => content("the author name is too long for WeChat (at most 16 characters)"),
        53503 => content("the draft failed WeChat's publish check"),
        53504 => content("WeChat requires this draft to be published from the web console"),
        53505 => content(
            "WeChat requires this draft to be opened and saved once in the web console before \
             it can be published",
        ),
        61501 => content("WeChat refused the analytics date range"),
        // A code this client does not know. On the publish call it cannot
        // prove that nothing was queued, and asking (draft/get) is cheap; on
        // every other call nothing public can have happened, so a person
        // sees the platform's own words instead of an endless retry.
        _ => match call {
            Call::Create => PlatformError::unknown(r(
                "WeChat answered the publish call with an error this client does not know",
            )),
            Call::Read => content("WeChat refused the request"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

    #[test]
    fn rid_is_split_off_the_message() {
        assert_eq!(
            split_rid("title size out of limit rid: 64f1a2b3-1"),
            ("title size out of limit", Some("64f1a2b3-1"))
        );
        assert_eq!(split_rid("ok"), ("ok", None));
        let r = reason("too long", 45003, "title size out of limit rid: abc");
        assert_eq!(
            r,
            "too long (WeChat errcode 45003 \"title size out of limit\", ref rid abc)"
        );
    }

    #[test]
    fn ip_is_read_from_the_whitelist_message() {
        assert_eq!(
            reported_ip("invalid ip 203.0.113.9 ipv6 ::ffff:203.0.113.9, not in whitelist rid: 1"),
            Some("203.0.113.9".to_owned())
        );
        assert_eq!(reported_ip("invalid ip, not in whitelist"), None);
    }

    #[test]
    fn quota_resets_at_china_midnight() {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 17, 30, 0).unwrap(); // 01:30 on 2 March in China
        let until = next_china_midnight(now);
        assert_eq!(until, Utc.with_ymd_and_hms(2026, 3, 2, 16, 0, 0).unwrap());
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 15, 59, 59).unwrap(); // 23:59:59 in China
        assert_eq!(
            next_china_midnight(now),
            Utc.with_ymd_and_hms(2026, 3, 1, 16, 0, 0).unwrap()
        );
        let m = next_minute(Utc.with_ymd_and_hms(2026, 3, 1, 15, 59, 59).unwrap());
        assert_eq!((m.hour(), m.minute(), m.second()), (16, 0, 0));
    }
}
