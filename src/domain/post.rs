//! A post as a team composes it: one master text with media, the channels it
//! goes to, an optional variant per channel, and when it goes out. Plus the
//! views of posts, channels, revisions, comments and notifications that the
//! dashboard and the REST API show.
//!
//! `check_post` is the one place that decides whether a post can be
//! published as written. The composer runs it in the browser on every
//! keystroke and the server runs it again before a post enters the workflow,
//! so the server refuses exactly what the browser flagged.

use super::content::{self, Draft, MediaInfo, MediaKind, Platform, Report, Utm};
use super::schedule::When;
use super::workflow::{ActionKind, PostState};
use super::{UserId, WorkspaceId};
use crate::domain::{ChannelId, MediaId, PostId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Longest campaign tag, in characters.
pub const CAMPAIGN_MAX_CHARS: usize = 64;
/// Longest master or variant text we store, in bytes: far above every
/// platform's limit, so only abuse reaches it.
pub const TEXT_MAX_BYTES: usize = 100_000;
/// Longest comment, in characters.
pub const COMMENT_MAX_CHARS: usize = 4_000;

/// A channel of the workspace: one account on one platform.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChannelView {
    pub id: ChannelId,
    pub platform: Platform,
    pub name: String,
    /// IANA zone of the channel's audience, e.g. `Asia/Shanghai`.
    pub time_zone: String,
    /// Posting slots, e.g. `Mon-Fri 09:00, 18:00; Sat 10:00`.
    pub slots: String,
    /// True for channels that talk to the built-in platform emulator.
    pub emulated: bool,
    pub created_at: DateTime<Utc>,
    /// Whether the channel can publish, and its health. Never carries a
    /// secret.
    #[serde(default)]
    pub connection: Connection,
    /// The account's server's own limit for a post's text, when it sets
    /// one (a Mastodon instance); else the platform's.
    #[serde(default)]
    pub text_limit: Option<usize>,
}

impl ChannelView {
    /// The limit the composer and the server count this channel's text
    /// against.
    pub fn text_limit(&self) -> usize {
        self.text_limit.unwrap_or(self.platform.text_limit())
    }
}

/// Where a channel stands with its platform account.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum ConnectionStatus {
    #[default]
    NotConnected,
    Connected,
    /// The credentials stopped working: a person must reconnect.
    Reconnect,
}

impl ConnectionStatus {
    pub const ALL: [ConnectionStatus; 3] = [
        ConnectionStatus::NotConnected,
        ConnectionStatus::Connected,
        ConnectionStatus::Reconnect,
    ];

    /// Stable identifier; identical to the serde representation.
    pub const fn as_str(self) -> &'static str {
        match self {
            ConnectionStatus::NotConnected => "not_connected",
            ConnectionStatus::Connected => "connected",
            ConnectionStatus::Reconnect => "reconnect",
        }
    }

    pub fn parse(s: &str) -> Option<ConnectionStatus> {
        ConnectionStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// A channel's account and health, as shown on the Channels page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Connection {
    pub status: ConnectionStatus,
    /// The platform's name of the account (page name, @handle, app id).
    pub account_name: Option<String>,
    pub account_id: Option<String>,
    pub token_expires_at: Option<DateTime<Utc>>,
    pub connected_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    /// Custom API base URL, when not the platform's own.
    pub api_base: Option<String>,
    pub auth_base: Option<String>,
    /// Egress proxy, with any password replaced by `***`.
    pub proxy: Option<String>,
}

/// An uploaded image or video, referenced by posts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MediaRef {
    pub id: MediaId,
    /// Filled in by the server from the stored file; clients may omit it.
    #[serde(default)]
    pub kind: MediaKind,
    #[serde(default)]
    pub content_type: String,
    #[serde(default)]
    pub bytes: u64,
    /// Alt text for screen readers; platforms that support it receive it.
    #[serde(default)]
    pub alt: String,
}

impl MediaRef {
    pub fn info(&self) -> MediaInfo {
        MediaInfo {
            kind: self.kind,
            bytes: self.bytes,
            alt: self.alt.clone(),
        }
    }

    /// Where the browser loads the file from (members of the workspace only).
    pub fn url(&self, ws: WorkspaceId) -> String {
        format!("/api/v1/workspaces/{}/media/{}", ws.0, self.id)
    }
}

/// What one channel gets instead of the master content. Every field that is
/// `None` falls back to the master.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Variant {
    pub channel_id: ChannelId,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub digest: Option<String>,
    #[serde(default)]
    pub link: Option<String>,
    #[serde(default)]
    pub media: Option<Vec<MediaRef>>,
}

/// UTM tagging of links: `utm_source` is each channel's platform, so one
/// report can tell the channels' traffic apart.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UtmSettings {
    /// `utm_medium`, `social` when empty.
    #[serde(default)]
    pub medium: String,
    /// `utm_campaign`; the post's campaign tag when empty.
    #[serde(default)]
    pub campaign: String,
}

/// The content of one revision of a post.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PostContent {
    #[serde(default)]
    pub text: String,
    /// WeChat article title (other platforms ignore it).
    #[serde(default)]
    pub title: Option<String>,
    /// WeChat article digest, shown in the chat list.
    #[serde(default)]
    pub digest: Option<String>,
    #[serde(default)]
    pub link: Option<String>,
    #[serde(default)]
    pub media: Vec<MediaRef>,
    #[serde(default)]
    pub variants: Vec<Variant>,
    #[serde(default)]
    pub utm: Option<UtmSettings>,
    /// Whether text too long for one X post may go out as a thread.
    #[serde(default)]
    pub allow_thread: bool,
}

/// What the composer (or an API client) sends to create or change a post.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PostInput {
    pub content: PostContent,
    /// Target channel ids, all of the post's workspace.
    pub channels: Vec<ChannelId>,
    /// `None` leaves the post unscheduled (a draft can be saved without a time).
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub schedule: Option<When>,
    #[serde(default)]
    pub campaign: Option<String>,
}

/// One channel's content after variants, link and UTM tagging are applied:
/// exactly what its platform will receive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Effective {
    pub text: String,
    pub title: Option<String>,
    pub digest: Option<String>,
    pub link: Option<String>,
    pub media: Vec<MediaRef>,
}

impl Effective {
    pub fn media_info(&self) -> Vec<MediaInfo> {
        self.media.iter().map(MediaRef::info).collect()
    }
}

fn non_blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.trim().is_empty())
}

/// The content `channel` receives: its variant where set, else the master.
pub fn effective(
    content: &PostContent,
    channel_id: ChannelId,
    platform: Platform,
    campaign: Option<&str>,
) -> Effective {
    let variant = content.variants.iter().find(|v| v.channel_id == channel_id);
    let pick = |from_variant: Option<&Option<String>>, master: &Option<String>| {
        from_variant
            .and_then(non_blank)
            .or_else(|| non_blank(master))
            .map(str::to_owned)
    };
    let text = variant
        .and_then(|v| non_blank(&v.text))
        .unwrap_or(&content.text)
        .to_owned();
    let link = pick(variant.map(|v| &v.link), &content.link);
    let media = variant
        .and_then(|v| v.media.clone())
        .unwrap_or_else(|| content.media.clone());
    let (text, link) = match &content.utm {
        Some(utm) => {
            let params = Utm {
                source: platform.as_str().to_owned(),
                medium: if utm.medium.trim().is_empty() {
                    "social".to_owned()
                } else {
                    utm.medium.trim().to_owned()
                },
                campaign: if utm.campaign.trim().is_empty() {
                    campaign.unwrap_or_default().trim().to_owned()
                } else {
                    utm.campaign.trim().to_owned()
                },
            };
            (
                content::add_utm(&text, &params),
                link.map(|l| content::add_utm(&l, &params)),
            )
        }
        None => (text, link),
    };
    Effective {
        text,
        title: pick(variant.map(|v| &v.title), &content.title),
        digest: pick(variant.map(|v| &v.digest), &content.digest),
        link,
        media,
    }
}

/// One channel's verdict on a post.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelCheck {
    pub channel_id: ChannelId,
    pub report: Report,
    /// The text as it will be published (link appended where the platform
    /// carries links in the text), for the live preview.
    pub preview: String,
    pub has_variant: bool,
}

/// Checks the post for every target channel. Channels that are not in
/// `channels` (deleted, other workspace) are skipped: the caller refuses
/// unknown ids separately.
pub fn check_post(
    content: &PostContent,
    targets: &[ChannelId],
    channels: &[ChannelView],
    campaign: Option<&str>,
) -> Vec<ChannelCheck> {
    targets
        .iter()
        .filter_map(|id| channels.iter().find(|c| c.id == *id))
        .map(|channel| {
            let eff = effective(content, channel.id, channel.platform, campaign);
            let media = eff.media_info();
            let draft = Draft {
                text: &eff.text,
                title: eff.title.as_deref(),
                digest: eff.digest.as_deref(),
                media: &media,
                link: eff.link.as_deref(),
            };
            let report = content::check_within(
                channel.platform,
                &draft,
                content.allow_thread,
                channel.text_limit(),
            );
            let preview = content::published_text(channel.platform, &draft).into_owned();
            ChannelCheck {
                channel_id: channel.id,
                report,
                preview,
                has_variant: content.variants.iter().any(|v| v.channel_id == channel.id),
            }
        })
        .collect()
}

/// True when no channel has a blocking problem.
pub fn all_ok(checks: &[ChannelCheck]) -> bool {
    checks.iter().all(|c| c.report.ok())
}

/// A person, as shown next to what they did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserRef {
    pub id: UserId,
    pub name: String,
}

/// Where one channel of a post stands. Delivery fields stay empty until the
/// scheduler has tried the channel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PostChannelView {
    pub channel_id: ChannelId,
    pub platform: Platform,
    pub name: String,
    pub time_zone: String,
    /// When this channel is due (UTC); `None` until approved for "as soon
    /// as approved", or while the post has no schedule.
    pub due_at: Option<DateTime<Utc>>,
    /// Delivery state: `pending` until the scheduler claims it.
    pub delivery_state: crate::domain::delivery::DeliveryState,
    pub remote_id: Option<String>,
    pub remote_url: Option<String>,
    pub last_error: Option<String>,
    pub attempts: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApprovalView {
    pub user: UserRef,
    pub revision: i64,
    pub at: DateTime<Utc>,
}

/// A post with everything the post page and the API show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PostView {
    pub id: PostId,
    pub workspace_id: WorkspaceId,
    pub state: PostState,
    pub author: UserRef,
    pub campaign: Option<String>,
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub schedule: Option<When>,
    pub content: PostContent,
    pub channels: Vec<PostChannelView>,
    /// Number of the current revision; send it back as `expected_revision`
    /// so an edit never silently overwrites someone else's.
    pub revision: i64,
    pub approvals: Vec<ApprovalView>,
    pub approvals_required: u8,
    /// What the viewer may do next, under the workspace's policy.
    pub allowed_actions: Vec<ActionKind>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A row of the post list and an entry of the calendar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PostSummary {
    pub id: PostId,
    pub state: PostState,
    pub excerpt: String,
    pub campaign: Option<String>,
    pub author: UserRef,
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub schedule: Option<When>,
    /// Per-channel due times (a post scheduled "at the same local time in
    /// each channel's zone" has several).
    pub channels: Vec<PostChannelDue>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PostChannelDue {
    pub channel_id: ChannelId,
    pub platform: Platform,
    pub due_at: Option<DateTime<Utc>>,
}

impl PostSummary {
    pub fn first_due(&self) -> Option<DateTime<Utc>> {
        self.channels.iter().filter_map(|c| c.due_at).min()
    }
}

/// Filters of the post list (all optional).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostFilter {
    #[serde(default)]
    pub states: Vec<PostState>,
    #[serde(default)]
    pub from: Option<DateTime<Utc>>,
    #[serde(default)]
    pub to: Option<DateTime<Utc>>,
    #[serde(default)]
    pub channel: Option<ChannelId>,
    #[serde(default)]
    pub campaign: Option<String>,
    /// Words that must all appear in the text or the campaign.
    #[serde(default)]
    pub q: Option<String>,
}

/// One entry of a post's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionView {
    pub number: i64,
    pub author: UserRef,
    pub at: DateTime<Utc>,
    /// Changes against the previous revision, line by line.
    pub diff: Vec<DiffLine>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffOp {
    Same,
    Added,
    Removed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    pub op: DiffOp,
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum CommentKind {
    Comment,
    Approval,
    ChangesRequested,
}

impl CommentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CommentKind::Comment => "comment",
            CommentKind::Approval => "approval",
            CommentKind::ChangesRequested => "changes_requested",
        }
    }
    pub fn parse(s: &str) -> Option<CommentKind> {
        [
            CommentKind::Comment,
            CommentKind::Approval,
            CommentKind::ChangesRequested,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CommentView {
    pub id: i64,
    pub author: UserRef,
    pub kind: CommentKind,
    pub body: String,
    pub revision: i64,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    ReviewNeeded,
    Approved,
    ChangesRequested,
    Comment,
    Published,
    Failed,
    AttentionNeeded,
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 7] = [
        NotificationKind::ReviewNeeded,
        NotificationKind::Approved,
        NotificationKind::ChangesRequested,
        NotificationKind::Comment,
        NotificationKind::Published,
        NotificationKind::Failed,
        NotificationKind::AttentionNeeded,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::ReviewNeeded => "review_needed",
            NotificationKind::Approved => "approved",
            NotificationKind::ChangesRequested => "changes_requested",
            NotificationKind::Comment => "comment",
            NotificationKind::Published => "published",
            NotificationKind::Failed => "failed",
            NotificationKind::AttentionNeeded => "attention_needed",
        }
    }
    pub fn parse(s: &str) -> Option<NotificationKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationView {
    pub id: i64,
    #[serde(default)]
    pub workspace_id: WorkspaceId,
    pub kind: NotificationKind,
    pub post_id: PostId,
    pub excerpt: String,
    pub actor: Option<UserRef>,
    pub at: DateTime<Utc>,
    pub read: bool,
}

/// An audit entry as admins and the post page show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditView {
    pub id: i64,
    pub actor: Option<UserRef>,
    pub action: String,
    pub subject: String,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub detail: serde_json::Value,
    pub at: DateTime<Utc>,
}

/// A short single-line excerpt of a post for lists and notifications.
pub fn excerpt(content: &PostContent, max_chars: usize) -> String {
    let source = non_blank(&content.title).unwrap_or(&content.text);
    let line = source.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max_chars {
        line
    } else {
        let mut cut: String = line.chars().take(max_chars.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// The searchable text of a post: master, variants, title and campaign,
/// lower-cased, so the list's search matches whatever a person remembers.
pub fn search_text(content: &PostContent, campaign: Option<&str>) -> String {
    let mut parts: Vec<&str> = vec![&content.text];
    parts.extend(content.title.as_deref());
    parts.extend(content.digest.as_deref());
    parts.extend(content.link.as_deref());
    parts.extend(content.variants.iter().filter_map(|v| v.text.as_deref()));
    parts.extend(campaign);
    parts.join("\n").to_lowercase()
}

/// The content as lines for the revision diff: master text first, then each
/// other field labelled, so a diff says which part changed.
pub fn diff_lines(
    content: &PostContent,
    channels: &[ChannelId],
    schedule: Option<&When>,
) -> Vec<String> {
    let mut lines: Vec<String> = content.text.lines().map(str::to_owned).collect();
    let mut field = |label: &str, value: Option<&str>| {
        if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
            lines.push(format!("[{label}] {v}"));
        }
    };
    field("title", content.title.as_deref());
    field("digest", content.digest.as_deref());
    field("link", content.link.as_deref());
    for m in &content.media {
        lines.push(format!("[media {}] {}", m.id, m.alt));
    }
    for v in &content.variants {
        if let Some(text) = v.text.as_deref().filter(|t| !t.trim().is_empty()) {
            for l in text.lines() {
                lines.push(format!("[channel {}] {l}", v.channel_id));
            }
        }
        if let Some(link) = v.link.as_deref().filter(|t| !t.trim().is_empty()) {
            lines.push(format!("[channel {} link] {link}", v.channel_id));
        }
    }
    let ids: Vec<String> = channels.iter().map(ChannelId::to_string).collect();
    lines.push(format!("[channels] {}", ids.join(", ")));
    if let Some(s) = schedule {
        lines.push(format!(
            "[schedule] {}",
            serde_json::to_string(s).unwrap_or_default()
        ));
    }
    lines
}

/// Line diff by longest common subsequence; posts are short, so the
/// quadratic table stays small (and is capped for pathological input).
pub fn diff(old: &[String], new: &[String]) -> Vec<DiffLine> {
    const CAP: usize = 2_000;
    if old.len() > CAP || new.len() > CAP {
        return old
            .iter()
            .map(|t| DiffLine {
                op: DiffOp::Removed,
                text: t.clone(),
            })
            .chain(new.iter().map(|t| DiffLine {
                op: DiffOp::Added,
                text: t.clone(),
            }))
            .collect();
    }
    let (n, m) = (old.len(), new.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(n.max(m));
    let line = |op, text: &String| DiffLine {
        op,
        text: text.clone(),
    };
    while i < n && j < m {
        if old[i] == new[j] {
            out.push(line(DiffOp::Same, &old[i]));
            i += 1;
            j += 1;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            out.push(line(DiffOp::Removed, &old[i]));
            i += 1;
        } else {
            out.push(line(DiffOp::Added, &new[j]));
            j += 1;
        }
    }
    out.extend(old[i..].iter().map(|t| line(DiffOp::Removed, t)));
    out.extend(new[j..].iter().map(|t| line(DiffOp::Added, t)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel(id: i64, platform: Platform) -> ChannelView {
        ChannelView {
            id: ChannelId(id),
            platform,
            name: format!("{} {id}", platform.as_str()),
            time_zone: "UTC".into(),
            slots: String::new(),
            emulated: true,
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            connection: Connection::default(),
            text_limit: None,
        }
    }

    #[test]
    fn a_server_with_its_own_limit_is_counted_against_it() {
        let content = PostContent {
            text: "茶".repeat(700),
            ..PostContent::default()
        };
        let mut roomy = channel(1, Platform::Mastodon);
        roomy.text_limit = Some(1000);
        let usual = channel(2, Platform::Mastodon);
        let checks = check_post(&content, &[roomy.id, usual.id], &[roomy, usual], None);
        assert_eq!(
            (checks[0].report.limit, checks[0].report.ok()),
            (1000, true)
        );
        assert_eq!(
            (checks[1].report.limit, checks[1].report.ok()),
            (500, false)
        );
    }

    #[test]
    fn a_variant_replaces_the_master_for_its_channel_only() {
        let content = PostContent {
            text: "master".into(),
            variants: vec![Variant {
                channel_id: ChannelId(2),
                text: Some("short".into()),
                ..Variant::default()
            }],
            ..PostContent::default()
        };
        assert_eq!(
            effective(&content, ChannelId(1), Platform::X, None).text,
            "master"
        );
        assert_eq!(
            effective(&content, ChannelId(2), Platform::X, None).text,
            "short"
        );
    }

    #[test]
    fn a_blank_variant_text_falls_back_to_the_master() {
        let content = PostContent {
            text: "master".into(),
            variants: vec![Variant {
                channel_id: ChannelId(2),
                text: Some("   ".into()),
                ..Variant::default()
            }],
            ..PostContent::default()
        };
        assert_eq!(
            effective(&content, ChannelId(2), Platform::X, None).text,
            "master"
        );
    }

    #[test]
    fn utm_source_is_the_channel_platform() {
        let content = PostContent {
            text: "read https://example.com/a".into(),
            utm: Some(UtmSettings::default()),
            ..PostContent::default()
        };
        let x = effective(&content, ChannelId(1), Platform::X, Some("launch"));
        assert!(x.text.contains("utm_source=x"), "{}", x.text);
        assert!(x.text.contains("utm_medium=social"));
        assert!(x.text.contains("utm_campaign=launch"));
        let fb = effective(&content, ChannelId(2), Platform::Facebook, Some("launch"));
        assert!(fb.text.contains("utm_source=facebook"));
    }

    #[test]
    fn too_long_for_x_is_flagged_only_on_x_and_a_variant_fixes_it() {
        let channels = [
            channel(1, Platform::X),
            channel(2, Platform::Facebook),
            channel(3, Platform::Linkedin),
        ];
        let mut content = PostContent {
            text: "word ".repeat(60),
            ..PostContent::default()
        };
        let checks = check_post(
            &content,
            &[ChannelId(1), ChannelId(2), ChannelId(3)],
            &channels,
            None,
        );
        assert_eq!(checks.len(), 3);
        assert!(!checks[0].report.ok());
        assert!(checks[1].report.ok() && checks[2].report.ok());
        assert!(!all_ok(&checks));
        content.variants.push(Variant {
            channel_id: ChannelId(1),
            text: Some("short for X".into()),
            ..Variant::default()
        });
        let checks = check_post(
            &content,
            &[ChannelId(1), ChannelId(2), ChannelId(3)],
            &channels,
            None,
        );
        assert!(all_ok(&checks));
        assert!(checks[0].has_variant);
    }

    #[test]
    fn unknown_target_ids_are_skipped() {
        let channels = [channel(1, Platform::X)];
        let checks = check_post(
            &PostContent::default(),
            &[ChannelId(1), ChannelId(99)],
            &channels,
            None,
        );
        assert_eq!(checks.len(), 1);
    }

    #[test]
    fn diff_marks_changed_lines() {
        let a: Vec<String> = ["one", "two", "three"].map(String::from).to_vec();
        let b: Vec<String> = ["one", "2", "three", "four"].map(String::from).to_vec();
        let d = diff(&a, &b);
        let ops: Vec<(DiffOp, &str)> = d.iter().map(|l| (l.op, l.text.as_str())).collect();
        assert_eq!(
            ops,
            vec![
                (DiffOp::Same, "one"),
                (DiffOp::Removed, "two"),
                (DiffOp::Added, "2"),
                (DiffOp::Same, "three"),
                (DiffOp::Added, "four"),
            ]
        );
    }

    #[test]
    fn excerpt_prefers_the_title_and_cuts_long_text() {
        let content = PostContent {
            text: "a ".repeat(100),
            ..PostContent::default()
        };
        let e = excerpt(&content, 10);
        assert_eq!(e.chars().count(), 10);
        assert!(e.ends_with('…'));
        let titled = PostContent {
            title: Some("Title".into()),
            ..content
        };
        assert_eq!(excerpt(&titled, 10), "Title");
    }
}
