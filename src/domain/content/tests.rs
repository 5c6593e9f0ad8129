//! Tests of the content rules, through the module's public surface (plus
//! the link weight): platforms and issues, X counting, URL finding, the other
//! platforms' checks, threads, UTM tagging, and properties over random text.

use super::x_weight::URL_WEIGHT;
use super::*;
use proptest::prelude::*;
use serde::de::{value::Error as DeError, IntoDeserializer};
use unicode_normalization::UnicodeNormalization;

fn image(alt: &str) -> MediaInfo {
    MediaInfo {
        kind: MediaKind::Image,
        bytes: 1000,
        alt: alt.to_owned(),
    }
}

fn media(kind: MediaKind) -> MediaInfo {
    MediaInfo {
        kind,
        bytes: 1000,
        alt: "alt".to_owned(),
    }
}

fn codes(report: &Report) -> Vec<&'static str> {
    report.issues.iter().map(Issue::code).collect()
}

fn urls_of(text: &str) -> Vec<&str> {
    find_urls(text)
        .into_iter()
        .map(|(s, e)| &text[s..e])
        .collect()
}

// --- platforms and issues ---

#[test]
fn platform_names_round_trip_through_parse_and_serde() {
    for p in Platform::ALL {
        assert_eq!(Platform::parse(p.as_str()), Some(p));
        assert_eq!(Platform::parse(&p.as_str().to_uppercase()), Some(p));
        let de: Result<Platform, DeError> = Platform::deserialize(p.as_str().into_deserializer());
        assert_eq!(de, Ok(p));
    }
    assert_eq!(Platform::parse("twitter"), Some(Platform::X));
    assert_eq!(Platform::parse("myspace"), None);
    assert_eq!(Platform::Linkedin.display_name(), "LinkedIn");
    assert_eq!(Platform::Wechat.display_name(), "WeChat Official Account");
}

#[test]
fn issue_codes_are_distinct_snake_case_and_only_alt_text_is_advisory() {
    let all = [
        Issue::Empty,
        Issue::Required {
            field: Field::Title,
        },
        Issue::TooLong {
            field: Field::Text,
            length: 2,
            limit: 1,
        },
        Issue::TooManyBytes {
            length: 2,
            limit: 1,
        },
        Issue::TooManyMedia { max: 1, actual: 2 },
        Issue::TooManyHashtags { max: 1, actual: 2 },
        Issue::UnsupportedMedia {
            index: 0,
            kind: MediaKind::Gif,
        },
        Issue::MissingAltText { index: 0 },
        Issue::InvalidLink,
    ];
    let mut seen: Vec<&str> = all.iter().map(Issue::code).collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), all.len());
    assert!(seen
        .iter()
        .all(|c| c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_')));
    let advisory: Vec<_> = all.iter().filter(|i| !i.is_blocking()).collect();
    assert_eq!(advisory, [&Issue::MissingAltText { index: 0 }]);
}

// --- X counting ---

#[test]
fn ascii_characters_count_one_each() {
    assert_eq!(x_weighted_length("Hello, world!"), 13);
    assert_eq!(x_weighted_length(&"a".repeat(280)), 280);
    assert_eq!(x_weighted_length("Ünïcödé café"), 12);
}

#[test]
fn chinese_characters_count_two_so_140_fit_and_141_are_too_long() {
    let fits = "中".repeat(140);
    assert_eq!(x_weighted_length(&fits), 280);
    assert!(check(
        Platform::X,
        &Draft {
            text: &fits,
            ..Draft::default()
        },
        false
    )
    .ok());

    let over = "中".repeat(141);
    let report = check(
        Platform::X,
        &Draft {
            text: &over,
            ..Draft::default()
        },
        false,
    );
    assert_eq!(
        report.issues,
        [Issue::TooLong {
            field: Field::Text,
            length: 282,
            limit: 280
        }]
    );
}

#[test]
fn a_url_of_any_length_counts_as_23() {
    assert_eq!(x_weighted_length("https://t.co"), 23);
    let long = format!("https://example.com/{}", "a".repeat(500));
    assert_eq!(x_weighted_length(&long), 23);
    assert_eq!(x_weighted_length(&format!("see {long} now")), 4 + 23 + 4);
    assert_eq!(x_weighted_length("example.com/some/long/path/indeed"), 23);
}

#[test]
fn an_emoji_sequence_counts_two_however_many_code_points_it_has() {
    assert_eq!(x_weighted_length("👨‍👩‍👧"), 2);
    assert_eq!(x_weighted_length("🇨🇳"), 2);
    assert_eq!(x_weighted_length("👍🏽"), 2);
    assert_eq!(x_weighted_length("1️⃣"), 2);
    assert_eq!(x_weighted_length("❤️"), 2);
    assert_eq!(x_weighted_length("🏴󠁧󠁢󠁳󠁣󠁴󠁿"), 2);
    assert_eq!(x_weighted_length("hi 👨‍👩‍👧🇨🇳"), 3 + 2 + 2);
    // Text-style symbols stay light without the emoji selector.
    assert_eq!(x_weighted_length("©"), 1);
}

#[test]
fn decomposed_accents_are_normalized_before_counting() {
    assert_eq!(x_weighted_length("e\u{301}"), 1);
    assert_eq!(x_weighted_length("e\u{301}"), x_weighted_length("é"));
}

#[test]
fn punctuation_ranges_follow_the_twitter_text_weights() {
    // Dash and curly quotes are light; the ellipsis (U+2026) is not.
    assert_eq!(
        x_weighted_length("\u{2014}\u{201C}\u{2019}\u{2026}"),
        1 + 1 + 1 + 2
    );
    assert_eq!(x_weighted_length("，。"), 4);
}

// --- URL detection ---

#[test]
fn trailing_punctuation_is_not_part_of_a_url() {
    assert_eq!(
        urls_of("Go to https://example.com/a."),
        ["https://example.com/a"]
    );
    assert_eq!(
        urls_of("(https://example.com/a), ok?"),
        ["https://example.com/a"]
    );
    assert_eq!(
        urls_of("\"https://example.com/?q=1\"!"),
        ["https://example.com/?q=1"]
    );
    assert_eq!(
        urls_of("看https://example.com/a。很好"),
        ["https://example.com/a"]
    );
    assert_eq!(urls_of("链接：example.com/路径"), ["example.com/"]);
    assert_eq!(
        urls_of("https://en.wikipedia.org/wiki/Rust_(language)."),
        ["https://en.wikipedia.org/wiki/Rust_(language)"]
    );
}

#[test]
fn bare_domains_need_a_known_tld_and_are_not_taken_from_emails() {
    assert_eq!(urls_of("visit www.example.org today"), ["www.example.org"]);
    assert_eq!(urls_of("blog.example.io"), ["blog.example.io"]);
    assert!(urls_of("file.txt Node.js e.g. 3.14 v1.2.3").is_empty());
    assert!(urls_of("mail me@example.com").is_empty());
    assert!(urls_of("https:// nothing").is_empty());
    // A short country-code domain alone reads like prose; with a path it is a link.
    assert!(urls_of("example.cn").is_empty());
    assert_eq!(urls_of("example.cn/about"), ["example.cn/about"]);
    assert_eq!(urls_of("HTTPS://EXAMPLE.COM/X"), ["HTTPS://EXAMPLE.COM/X"]);
}

// --- other platforms ---

#[test]
fn bluesky_limits_graphemes_and_bytes_separately() {
    let ok = "é".repeat(300);
    let report = check(
        Platform::Bluesky,
        &Draft {
            text: &ok,
            ..Draft::default()
        },
        false,
    );
    assert_eq!((report.length, report.limit), (300, 300));
    assert!(report.ok());

    let long = "a".repeat(301);
    let report = check(
        Platform::Bluesky,
        &Draft {
            text: &long,
            ..Draft::default()
        },
        false,
    );
    assert_eq!(codes(&report), ["too_long"]);

    // 300 family emoji are 300 graphemes but 5,400 bytes.
    let heavy = "👨‍👩‍👧".repeat(300);
    let report = check(
        Platform::Bluesky,
        &Draft {
            text: &heavy,
            ..Draft::default()
        },
        false,
    );
    assert_eq!(report.length, 300);
    assert_eq!(
        report.issues,
        [Issue::TooManyBytes {
            length: 5400,
            limit: 3000
        }]
    );
}

#[test]
fn mastodon_counts_scheme_urls_as_23_and_bare_domains_literally() {
    let long = format!("https://example.com/{}", "a".repeat(100));
    assert_eq!(mastodon_length(&format!("hi {long}")), 3 + 23);
    assert_eq!(mastodon_length("hi example.com"), 14);
    assert_eq!(mastodon_length("中文"), 2);
}

#[test]
fn wechat_flags_a_33_character_title_and_a_missing_cover() {
    let title = "标".repeat(33);
    let draft = Draft {
        text: "正文",
        title: Some(&title),
        ..Draft::default()
    };
    let report = check(Platform::Wechat, &draft, false);
    assert_eq!(
        report.issues,
        [
            Issue::TooLong {
                field: Field::Title,
                length: 33,
                limit: 32
            },
            Issue::Required {
                field: Field::Cover
            },
        ]
    );
    let media = [image("")];
    let title = "标".repeat(32);
    let draft = Draft {
        text: "正文",
        title: Some(&title),
        media: &media,
        ..Draft::default()
    };
    let report = check(Platform::Wechat, &draft, false);
    assert!(report.issues.is_empty(), "{:?}", report.issues);
}

#[test]
fn wechat_requires_a_title_and_limits_the_digest() {
    let digest = "摘".repeat(129);
    let media = [image("")];
    let draft = Draft {
        text: "正文",
        title: Some("  "),
        digest: Some(&digest),
        media: &media,
        ..Draft::default()
    };
    let report = check(Platform::Wechat, &draft, false);
    assert_eq!(
        report.issues,
        [
            Issue::Required {
                field: Field::Title
            },
            Issue::TooLong {
                field: Field::Digest,
                length: 129,
                limit: 128
            },
        ]
    );
}

#[test]
fn instagram_without_an_image_is_flagged() {
    let video = [media(MediaKind::Video)];
    let report = check(
        Platform::Instagram,
        &Draft {
            text: "caption",
            media: &video,
            ..Draft::default()
        },
        false,
    );
    assert_eq!(
        report.issues,
        [Issue::Required {
            field: Field::Media
        }]
    );

    let gif = [image("a"), media(MediaKind::Gif)];
    let report = check(
        Platform::Instagram,
        &Draft {
            text: "caption",
            media: &gif,
            ..Draft::default()
        },
        false,
    );
    assert_eq!(
        report.issues,
        [Issue::UnsupportedMedia {
            index: 1,
            kind: MediaKind::Gif
        }]
    );
}

#[test]
fn instagram_flags_31_hashtags_but_not_30() {
    let tags = |n: usize| {
        (0..n)
            .map(|i| format!("#tag{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let media = [image("a")];
    let thirty = tags(30);
    let report = check(
        Platform::Instagram,
        &Draft {
            text: &thirty,
            media: &media,
            ..Draft::default()
        },
        false,
    );
    assert!(report.ok());
    let thirty_one = tags(31);
    let report = check(
        Platform::Instagram,
        &Draft {
            text: &thirty_one,
            media: &media,
            ..Draft::default()
        },
        false,
    );
    assert_eq!(
        report.issues,
        [Issue::TooManyHashtags {
            max: 30,
            actual: 31
        }]
    );
}

#[test]
fn hashtags_inside_urls_words_and_entities_are_not_counted() {
    assert_eq!(count_hashtags("#rust #中文 #2024 #_x"), 4);
    assert_eq!(count_hashtags("美食#旅行"), 1);
    assert_eq!(
        count_hashtags("a#b &#38; # ## https://example.com/#anchor"),
        0
    );
}

#[test]
fn media_limits_and_video_exclusivity_are_enforced() {
    let five = vec![image("a"); 5];
    let report = check(
        Platform::X,
        &Draft {
            text: "hi",
            media: &five,
            ..Draft::default()
        },
        false,
    );
    assert_eq!(report.issues, [Issue::TooManyMedia { max: 4, actual: 5 }]);

    let mixed = [image("a"), media(MediaKind::Video)];
    let report = check(
        Platform::Mastodon,
        &Draft {
            text: "hi",
            media: &mixed,
            ..Draft::default()
        },
        false,
    );
    assert_eq!(report.issues, [Issue::TooManyMedia { max: 1, actual: 2 }]);

    let eleven = vec![image("a"); 11];
    let report = check(
        Platform::Instagram,
        &Draft {
            text: "hi",
            media: &eleven,
            ..Draft::default()
        },
        false,
    );
    assert_eq!(
        report.issues,
        [Issue::TooManyMedia {
            max: 10,
            actual: 11
        }]
    );
}

#[test]
fn missing_alt_text_is_a_warning_not_a_blocker() {
    let media = &[image(""), image("a cat")];
    let report = check(
        Platform::Bluesky,
        &Draft {
            text: "hi",
            media,
            ..Draft::default()
        },
        false,
    );
    assert_eq!(report.issues, [Issue::MissingAltText { index: 0 }]);
    assert!(report.ok());
}

#[test]
fn an_empty_draft_is_flagged_but_media_alone_is_a_post() {
    let report = check(
        Platform::Mastodon,
        &Draft {
            text: "  \n",
            ..Draft::default()
        },
        false,
    );
    assert_eq!(codes(&report), ["empty"]);
    let media = [image("a")];
    let report = check(
        Platform::Mastodon,
        &Draft {
            text: "",
            media: &media,
            ..Draft::default()
        },
        false,
    );
    assert!(report.ok());
}

#[test]
fn the_link_counts_where_it_is_published_in_the_text() {
    let draft = Draft {
        text: "hello",
        link: Some("https://example.com/a-very-long-path"),
        ..Draft::default()
    };
    assert_eq!(
        published_text(Platform::X, &draft),
        "hello\n\nhttps://example.com/a-very-long-path"
    );
    assert_eq!(check(Platform::X, &draft, false).length, 5 + 2 + 23);
    assert_eq!(check(Platform::Linkedin, &draft, false).length, 5);

    let bad = Draft {
        text: "hello",
        link: Some("not a link"),
        ..Draft::default()
    };
    assert_eq!(
        codes(&check(Platform::Facebook, &bad, false)),
        ["invalid_link"]
    );
}

#[test]
fn x_makes_a_thread_instead_of_rejecting_when_allowed() {
    let text = "word ".repeat(100);
    let draft = Draft {
        text: &text,
        ..Draft::default()
    };
    let report = check(Platform::X, &draft, true);
    assert!(report.ok());
    let thread = report.thread.unwrap_or_default();
    assert_eq!(thread.len(), 2);
    assert!(thread[0].ends_with(" 1/2") && thread[1].ends_with(" 2/2"));

    let report = check(Platform::X, &draft, false);
    assert_eq!(codes(&report), ["too_long"]);
    assert_eq!(report.thread, None);
}

// --- threads ---

#[test]
fn a_short_text_is_one_part_without_a_counter() {
    assert_eq!(split_thread("  hello world \n", 280), ["hello world"]);
    assert!(split_thread(" \n ", 280).is_empty());
}

#[test]
fn threads_prefer_paragraph_breaks() {
    let first = "The first paragraph ends well before the limit, but it is long enough \
                 (over a third of a post) to stand on its own as the opening of a thread.";
    let second = "second ".repeat(40);
    let text = format!("{first}\n\n{}", second.trim());
    let parts = split_thread(&text, 280);
    assert_eq!(parts[0].rsplit_once(' ').map(|(body, _)| body), Some(first));
}

#[test]
fn chinese_threads_split_after_sentence_ends() {
    let sentence = "这是一个用来测试分割的中文句子。";
    let text = sentence.repeat(20);
    let parts = split_thread(&text, 280);
    assert!(parts.len() > 1);
    for (i, part) in parts.iter().enumerate() {
        let body = part
            .strip_suffix(&format!(" {}/{}", i + 1, parts.len()))
            .unwrap_or(part);
        assert!(body.ends_with('。'), "{body}");
        assert!(x_weighted_length(part) <= 280);
    }
}

#[test]
fn an_overlong_word_is_cut_between_graphemes() {
    let text = "e\u{301}".repeat(400);
    let parts = split_thread(&text, 280);
    assert_eq!(parts.len(), 2);
    for part in &parts {
        assert!(x_weighted_length(part) <= 280);
        assert!(!part.starts_with('\u{301}'));
    }
}

#[test]
fn counters_grow_to_two_digits_when_needed() {
    let text = "word ".repeat(700);
    let parts = split_thread(&text, 280);
    assert!(parts.len() >= 10);
    assert!(parts.iter().all(|p| x_weighted_length(p) <= 280));
    assert!(parts[0].ends_with(&format!(" 1/{}", parts.len())));
}

// --- UTM ---

fn utm() -> Utm {
    Utm {
        source: "tongbu".into(),
        medium: "social".into(),
        campaign: "spring sale".into(),
    }
}

#[test]
fn utm_parameters_go_before_the_fragment() {
    assert_eq!(
        add_utm("see https://example.com/page#top!", &utm()),
        "see https://example.com/page?utm_source=tongbu&utm_medium=social&utm_campaign=spring%20sale#top!"
    );
}

#[test]
fn utm_parameters_join_an_existing_query_with_an_ampersand() {
    assert_eq!(
        add_utm("https://example.com/?id=7", &utm()),
        "https://example.com/?id=7&utm_source=tongbu&utm_medium=social&utm_campaign=spring%20sale"
    );
    let only_source = Utm {
        source: "微信".into(),
        ..Utm::default()
    };
    assert_eq!(
        add_utm("https://example.com/?a=1&", &only_source),
        "https://example.com/?a=1&utm_source=%E5%BE%AE%E4%BF%A1"
    );
}

#[test]
fn utm_keys_already_present_are_not_duplicated() {
    let text = "https://example.com/?utm_source=news&x=1 and example.com/bare";
    let tagged = add_utm(text, &utm());
    assert_eq!(
        tagged,
        "https://example.com/?utm_source=news&x=1&utm_medium=social&utm_campaign=spring%20sale and example.com/bare"
    );
    assert_eq!(add_utm(&tagged, &utm()), tagged);
    assert_eq!(add_utm("no links here", &utm()), "no links here");
}

// --- properties ---

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z0-9]{1,12}",
        1 => "[a-z]{20,400}",
        2 => "[一-龥]{1,40}",
        1 => "[。！？，.,!?]",
        1 => prop::sample::select(vec!["😀", "👨‍👩‍👧", "🇨🇳", "👍🏽", "1️⃣", "❤️", "é"]).prop_map(String::from),
        1 => "https://[a-z]{1,10}\\.com/[a-z0-9/]{0,60}",
        1 => "[a-z]{1,8}\\.example\\.org(/[a-z]{1,10})?",
    ]
}

fn separator() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["", " ", " ", " ", "\n", "\n\n", "  ", "\t"])
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec((token(), separator()), 0..120)
        .prop_map(|items| items.into_iter().map(|(t, s)| t + s).collect())
}

/// Short tokens (< 20 characters) always separated by whitespace.
fn short_word_text() -> impl Strategy<Value = String> {
    let short = prop_oneof![
        4 => "[a-zA-Z0-9]{1,19}",
        2 => "[一-龥]{1,19}",
        1 => prop::sample::select(vec!["😀😀", "👨‍👩‍👧", "🇨🇳", "👍🏽", "wait.", "ok?"]).prop_map(String::from),
        1 => "https://[a-z]{1,10}\\.com/[a-z0-9]{0,60}",
    ];
    let sep = prop::sample::select(vec![" ", "\n", "\n\n", "  "]);
    prop::collection::vec((short, sep), 0..150)
        .prop_map(|items| items.into_iter().map(|(t, s)| t + s).collect())
}

fn bodies(parts: &[String]) -> Vec<&str> {
    let n = parts.len();
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if n > 1 {
                p.strip_suffix(&format!(" {}/{n}", i + 1))
                    .unwrap_or("<no counter>")
            } else {
                p
            }
        })
        .collect()
}

fn non_whitespace(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

proptest! {
    #[test]
    fn every_thread_part_fits_and_is_not_empty(text in text()) {
        for part in split_thread(&text, 280) {
            prop_assert!(x_weighted_length(&part) <= 280, "{} too long: {part:?}", x_weighted_length(&part));
            prop_assert!(!part.trim().is_empty());
        }
    }

    #[test]
    fn threads_keep_all_non_whitespace_content_in_order(text in text()) {
        let parts = split_thread(&text, 280);
        let joined: String = bodies(&parts).concat();
        prop_assert_eq!(non_whitespace(&joined), non_whitespace(&text));
    }

    #[test]
    fn short_words_are_never_broken_across_parts(text in short_word_text()) {
        let parts = split_thread(&text, 280);
        let words: Vec<&str> = bodies(&parts).into_iter().flat_map(str::split_whitespace).collect();
        prop_assert_eq!(words, text.split_whitespace().collect::<Vec<_>>());
    }

    #[test]
    fn urls_are_never_split_across_parts(text in text()) {
        let parts = split_thread(&text, 280);
        // Part boundaries as offsets into the non-whitespace characters.
        let mut cuts = Vec::new();
        let mut total = 0;
        for body in bodies(&parts) {
            total += non_whitespace(body).chars().count();
            cuts.push(total);
        }
        let offset = |byte: usize| non_whitespace(&text[..byte]).chars().count();
        for (start, end) in find_urls(&text) {
            let (s, e) = (offset(start), offset(end));
            prop_assert!(cuts.iter().all(|&c| c <= s || c >= e), "URL {:?} was split", &text[start..end]);
        }
    }

    #[test]
    fn weighted_length_is_at_least_one_per_non_url_grapheme(text in text()) {
        let normalized: String = text.nfc().collect();
        let urls = find_urls(&normalized);
        let mut plain = 0;
        let mut pos = 0;
        for &(s, e) in &urls {
            plain += graphemes(&normalized[pos..s]);
            pos = e;
        }
        plain += graphemes(&normalized[pos..]);
        prop_assert!(x_weighted_length(&text) >= plain + URL_WEIGHT * urls.len());
    }

    #[test]
    fn weighted_length_adds_up_across_a_space(a in text(), b in text()) {
        let joined = format!("{} {}", a.trim_end(), b.trim_start());
        prop_assert_eq!(
            x_weighted_length(&joined),
            x_weighted_length(a.trim_end()) + 1 + x_weighted_length(b.trim_start())
        );
    }

    #[test]
    fn tagging_urls_twice_changes_nothing(text in text()) {
        let once = add_utm(&text, &utm());
        prop_assert_eq!(add_utm(&once, &utm()), once.clone());
        prop_assert_eq!(find_urls(&once).len(), find_urls(&text).len());
    }
}
