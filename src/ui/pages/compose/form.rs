//! Everything the composer holds, in the shape of its inputs ([`Form`]), and
//! how it becomes the post the server stores and back. Plain data, so the
//! local copy is just its JSON.

use crate::domain::post::{MediaRef, PostContent, PostInput, PostView, UtmSettings, Variant};
use crate::domain::schedule::{DstChoice, When};
use crate::domain::ChannelId;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// Everything the composer holds, in the shape of its inputs. Copied to
/// local storage as JSON.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct Form {
    pub(super) text: String,
    pub(super) title: String,
    pub(super) digest: String,
    pub(super) link: String,
    pub(super) campaign: String,
    pub(super) media: Vec<MediaRef>,
    pub(super) variants: Vec<Variant>,
    pub(super) utm: bool,
    pub(super) allow_thread: bool,
    pub(super) channels: Vec<ChannelId>,
    /// none | at | same_local | when_approved | next_free_slot
    pub(super) mode: String,
    /// `YYYY-MM-DDTHH:MM`, as a datetime-local input gives it.
    pub(super) local: String,
    pub(super) zone: String,
    pub(super) dst: Option<DstChoice>,
}

pub(super) fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

pub(super) fn parse_local(s: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .ok()
}

impl Form {
    pub(super) fn content(&self) -> PostContent {
        PostContent {
            text: self.text.clone(),
            title: opt(&self.title),
            digest: opt(&self.digest),
            link: opt(&self.link),
            media: self.media.clone(),
            variants: self.variants.clone(),
            utm: self.utm.then(UtmSettings::default),
            allow_thread: self.allow_thread,
        }
    }

    fn schedule(&self) -> Option<When> {
        let local = parse_local(&self.local);
        match self.mode.as_str() {
            "at" => local.map(|local| When::At {
                local,
                zone: self.zone.trim().to_owned(),
                dst: self.dst,
            }),
            "same_local" => local.map(|local| When::SameLocalTimePerChannel {
                local,
                dst: self.dst,
            }),
            "when_approved" => Some(When::WhenApproved),
            "next_free_slot" => Some(When::NextFreeSlot),
            _ => None,
        }
    }

    pub(super) fn input(&self) -> PostInput {
        PostInput {
            content: self.content(),
            channels: self.channels.clone(),
            schedule: self.schedule(),
            campaign: opt(&self.campaign),
        }
    }

    pub(super) fn from_view(v: &PostView, default_zone: &str) -> Form {
        let c = &v.content;
        let (mode, local, zone, dst) = match &v.schedule {
            None => ("none", String::new(), default_zone.to_owned(), None),
            Some(When::At { local, zone, dst }) => (
                "at",
                local.format("%Y-%m-%dT%H:%M").to_string(),
                zone.clone(),
                *dst,
            ),
            Some(When::SameLocalTimePerChannel { local, dst }) => (
                "same_local",
                local.format("%Y-%m-%dT%H:%M").to_string(),
                default_zone.to_owned(),
                *dst,
            ),
            Some(When::WhenApproved) => (
                "when_approved",
                String::new(),
                default_zone.to_owned(),
                None,
            ),
            Some(When::NextFreeSlot) => (
                "next_free_slot",
                String::new(),
                default_zone.to_owned(),
                None,
            ),
        };
        Form {
            text: c.text.clone(),
            title: c.title.clone().unwrap_or_default(),
            digest: c.digest.clone().unwrap_or_default(),
            link: c.link.clone().unwrap_or_default(),
            campaign: v.campaign.clone().unwrap_or_default(),
            media: c.media.clone(),
            variants: c.variants.clone(),
            utm: c.utm.is_some(),
            allow_thread: c.allow_thread,
            channels: v.channels.iter().map(|c| c.channel_id).collect(),
            mode: mode.to_owned(),
            local,
            zone,
            dst,
        }
    }
}
