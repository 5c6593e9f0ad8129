//! The one translation layer every UI string goes through.
//!
//! Messages live in `messages.rs`, one line per message with English,
//! Simplified Chinese and Traditional Chinese side by side; the macro makes a
//! missing translation a compile error rather than a blank on screen.
//! The language follows the user's saved preference, then the browser's
//! `Accept-Language`, then English.

mod messages;

pub use messages::Msg;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    En,
    ZhHans,
    ZhHant,
}

impl Locale {
    pub const ALL: [Locale; 3] = [Locale::En, Locale::ZhHans, Locale::ZhHant];

    /// BCP 47 tag, as written into `<html lang>` and stored as a preference.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::ZhHans => "zh-Hans",
            Locale::ZhHant => "zh-Hant",
        }
    }

    /// The language's own name, for the language switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::ZhHans => "简体中文",
            Locale::ZhHant => "繁體中文",
        }
    }

    /// Understands the tags browsers send: `zh-CN`, `zh-TW`, `zh-Hant-HK`,
    /// `en-GB`, and our own stored tags.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let lower = tag.trim().to_ascii_lowercase();
        let mut parts = lower.split(['-', '_']);
        match parts.next()? {
            "en" => Some(Locale::En),
            "zh" => {
                let rest: Vec<&str> = parts.collect();
                let traditional = rest
                    .iter()
                    .any(|p| matches!(*p, "hant" | "tw" | "hk" | "mo"));
                let simplified = rest.iter().any(|p| matches!(*p, "hans" | "cn" | "sg"));
                if traditional && !simplified {
                    Some(Locale::ZhHant)
                } else {
                    Some(Locale::ZhHans)
                }
            }
            _ => None,
        }
    }

    /// Picks the best supported language from an `Accept-Language` header,
    /// honouring q-values.
    pub fn negotiate(accept_language: &str) -> Option<Locale> {
        let mut best: Option<(f32, usize, Locale)> = None;
        for (pos, item) in accept_language.split(',').enumerate() {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if q <= 0.0 {
                continue;
            }
            if let Some(locale) = Locale::from_tag(tag) {
                // Earlier entries win ties, as the header's order is a preference.
                let better = match best {
                    None => true,
                    Some((bq, bpos, _)) => q > bq || (q == bq && pos < bpos),
                };
                if better {
                    best = Some((q, pos, locale));
                }
            }
        }
        best.map(|(_, _, l)| l)
    }
}

/// The text of a message in a language.
pub fn t(locale: Locale, msg: Msg) -> &'static str {
    messages::text(locale, msg)
}

/// A message with `{name}` placeholders filled in.
pub fn tf(locale: Locale, msg: Msg, args: &[(&str, &str)]) -> String {
    let mut out = t(locale, msg).to_owned();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browser_tags_map_to_supported_locales() {
        assert_eq!(Locale::from_tag("zh-CN"), Some(Locale::ZhHans));
        assert_eq!(Locale::from_tag("zh-TW"), Some(Locale::ZhHant));
        assert_eq!(Locale::from_tag("zh-Hant-HK"), Some(Locale::ZhHant));
        assert_eq!(Locale::from_tag("zh"), Some(Locale::ZhHans));
        assert_eq!(Locale::from_tag("en-GB"), Some(Locale::En));
        assert_eq!(Locale::from_tag("fr"), None);
        for l in Locale::ALL {
            assert_eq!(Locale::from_tag(l.tag()), Some(l));
        }
    }

    #[test]
    fn accept_language_honours_order_and_quality() {
        assert_eq!(
            Locale::negotiate("zh-CN,zh;q=0.9,en;q=0.8"),
            Some(Locale::ZhHans)
        );
        assert_eq!(
            Locale::negotiate("fr-FR, en;q=0.5, zh-TW;q=0.7"),
            Some(Locale::ZhHant)
        );
        assert_eq!(Locale::negotiate("de, fr"), None);
        assert_eq!(Locale::negotiate("zh;q=0, en"), Some(Locale::En));
    }

    #[test]
    fn every_message_has_text_in_every_language() {
        for &m in Msg::ALL {
            for l in Locale::ALL {
                assert!(!t(l, m).trim().is_empty(), "{m:?} is empty in {l:?}");
            }
            assert_eq!(Msg::from_key(m.key()), Some(m));
        }
    }

    #[test]
    fn placeholders_survive_translation() {
        // A placeholder in English must exist in each translation too, or the
        // value would silently disappear from the Chinese UI.
        for &m in Msg::ALL {
            let en = t(Locale::En, m);
            let mut rest = en;
            while let Some(start) = rest.find('{') {
                let end = rest[start..]
                    .find('}')
                    .map(|e| start + e + 1)
                    .unwrap_or(rest.len());
                let ph = &rest[start..end];
                for l in [Locale::ZhHans, Locale::ZhHant] {
                    assert!(t(l, m).contains(ph), "{m:?} lacks {ph} in {l:?}");
                }
                rest = &rest[end..];
            }
        }
    }
}
