//! Fault rules: what the next matching calls of a platform (and account)
//! suffer, in the control API's JSON shape.
//!
//! Invariants: rules are matched in insertion order, the first match wins;
//! a rule with `times` is removed when it reaches zero; token faults never
//! match token endpoints (they describe what the *access token in use*
//! suffers). Rules are runtime-only (not in the state file).

use crate::domain::content::Platform;
use serde::{Deserialize, Serialize};

/// Which kind of call a fault is checked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CallKind {
    Create,
    Read,
    /// Token endpoints: token faults do not apply there.
    Token,
}

/// Which calls a rule applies to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultScope {
    /// Only create calls (those the ledger records).
    #[default]
    Create,
    /// Every call of the platform, token endpoints included.
    All,
}

/// What happens to a matching call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// Answer normally after this delay.
    Latency { ms: u64 },
    /// The platform's throttling answer, lifting after this many seconds.
    RateLimit { reset_after_secs: u64 },
    /// The platform's own 5xx/busy error; nothing is created.
    ErrorBeforeCommit,
    /// The post is created, but the answer is the 5xx.
    ErrorAfterCommit,
    /// Accept the request and never answer.
    Hang,
    /// Close the TCP connection without an answer; nothing is created.
    DropConnection,
    /// The access token in use is reported expired until refreshed.
    TokenExpired,
    /// The access token and its refresh path are revoked.
    TokenRevoked,
}

impl Fault {
    /// The `kind` tag, as written in the ledger.
    pub fn kind(&self) -> &'static str {
        match self {
            Fault::Latency { .. } => "latency",
            Fault::RateLimit { .. } => "rate_limit",
            Fault::ErrorBeforeCommit => "error_before_commit",
            Fault::ErrorAfterCommit => "error_after_commit",
            Fault::Hang => "hang",
            Fault::DropConnection => "drop_connection",
            Fault::TokenExpired => "token_expired",
            Fault::TokenRevoked => "token_revoked",
        }
    }

    fn is_token_fault(&self) -> bool {
        matches!(self, Fault::TokenExpired | Fault::TokenRevoked)
    }
}

/// One injected fault.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultRule {
    pub platform: Platform,
    /// The account as the ledger names it; `None` matches every account.
    #[serde(default)]
    pub account: Option<String>,
    #[serde(default)]
    pub scope: FaultScope,
    /// How many matching calls suffer it; `None` = until cleared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
    pub fault: Fault,
}

impl FaultRule {
    /// A rule for every account's create calls, until cleared.
    pub fn new(platform: Platform, fault: Fault) -> FaultRule {
        FaultRule {
            platform,
            account: None,
            scope: FaultScope::Create,
            times: None,
            fault,
        }
    }

    pub fn account(mut self, account: &str) -> FaultRule {
        self.account = Some(account.to_owned());
        self
    }

    pub fn scope(mut self, scope: FaultScope) -> FaultRule {
        self.scope = scope;
        self
    }

    pub fn times(mut self, n: u32) -> FaultRule {
        self.times = Some(n);
        self
    }

    fn matches(&self, platform: Platform, account: &str, call: CallKind) -> bool {
        if self.platform != platform {
            return false;
        }
        if self.account.as_deref().is_some_and(|a| a != account) {
            return false;
        }
        if self.scope == FaultScope::Create && call != CallKind::Create {
            return false;
        }
        !(call == CallKind::Token && self.fault.is_token_fault())
    }
}

#[derive(Default)]
pub(crate) struct FaultBook {
    next: u64,
    rules: Vec<(u64, FaultRule)>,
}

impl FaultBook {
    pub(crate) fn add(&mut self, rule: FaultRule) -> u64 {
        self.next += 1;
        if rule.times != Some(0) {
            self.rules.push((self.next, rule));
        }
        self.next
    }

    pub(crate) fn clear(&mut self) {
        self.rules.clear();
    }

    pub(crate) fn list(&self) -> Vec<serde_json::Value> {
        self.rules
            .iter()
            .map(|(id, r)| {
                let mut v = serde_json::to_value(r).unwrap_or_default();
                if let Some(o) = v.as_object_mut() {
                    o.insert("id".into(), (*id).into());
                }
                v
            })
            .collect()
    }

    /// The fault the next call suffers, counting its rule down.
    pub(crate) fn take(
        &mut self,
        platform: Platform,
        account: &str,
        call: CallKind,
    ) -> Option<Fault> {
        let idx = self
            .rules
            .iter()
            .position(|(_, r)| r.matches(platform, account, call))?;
        let rule = &mut self.rules[idx].1;
        let fault = rule.fault.clone();
        if let Some(t) = rule.times.as_mut() {
            *t = t.saturating_sub(1);
            if *t == 0 {
                self.rules.remove(idx);
            }
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_count_down_and_scope_filters() {
        let mut b = FaultBook::default();
        b.add(FaultRule::new(Platform::X, Fault::ErrorBeforeCommit).times(2));
        assert_eq!(b.take(Platform::X, "1", CallKind::Read), None);
        assert_eq!(b.take(Platform::Wechat, "1", CallKind::Create), None);
        assert!(b.take(Platform::X, "1", CallKind::Create).is_some());
        assert!(b.take(Platform::X, "2", CallKind::Create).is_some());
        assert_eq!(b.take(Platform::X, "1", CallKind::Create), None);
    }

    #[test]
    fn token_faults_skip_token_endpoints_and_accounts_filter() {
        let mut b = FaultBook::default();
        b.add(
            FaultRule::new(Platform::X, Fault::TokenExpired)
                .scope(FaultScope::All)
                .account("7"),
        );
        assert_eq!(b.take(Platform::X, "7", CallKind::Token), None);
        assert_eq!(b.take(Platform::X, "8", CallKind::Read), None);
        assert_eq!(
            b.take(Platform::X, "7", CallKind::Read),
            Some(Fault::TokenExpired)
        );
    }

    #[test]
    fn platforms_keep_the_names_of_the_ledger_and_the_control_api() {
        for (p, name) in [
            (Platform::Wechat, "wechat"),
            (Platform::Facebook, "facebook"),
            (Platform::X, "x"),
        ] {
            assert_eq!(serde_json::to_value(p).unwrap(), name);
            assert_eq!(serde_json::from_value::<Platform>(name.into()).unwrap(), p);
        }
    }

    #[test]
    fn json_shape_of_the_control_api() {
        let r: FaultRule = serde_json::from_str(
            r#"{"platform":"facebook","account":null,"scope":"all","times":3,"fault":{"kind":"rate_limit","reset_after_secs":60}}"#,
        )
        .unwrap();
        assert_eq!(
            r.fault,
            Fault::RateLimit {
                reset_after_secs: 60
            }
        );
        assert_eq!(r.scope, FaultScope::All);
        assert_eq!(r.times, Some(3));
    }
}
