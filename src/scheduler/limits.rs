//! Per-channel limits of this process: how many requests may be in flight
//! on one channel, and a circuit breaker that stops sending to a channel
//! whose platform keeps failing (so a platform outage does not burn every
//! post's retry budget, nor hammer the platform while it recovers).

use super::SchedulerConfig;
use crate::domain::ChannelId;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

#[derive(Default)]
struct Breaker {
    consecutive_failures: u32,
    open_until: Option<DateTime<Utc>>,
}

pub struct Limits {
    per_channel: usize,
    failures_to_open: u32,
    cooldown: Duration,
    global: Arc<Semaphore>,
    channels: Mutex<HashMap<ChannelId, Arc<Semaphore>>>,
    breakers: Mutex<HashMap<ChannelId, Breaker>>,
}

impl Limits {
    pub fn new(cfg: &SchedulerConfig) -> Limits {
        Limits {
            per_channel: cfg.per_channel.max(1),
            failures_to_open: cfg.breaker_failures.max(1),
            cooldown: cfg.breaker_cooldown,
            global: Arc::new(Semaphore::new(cfg.max_in_flight.max(1))),
            channels: Mutex::new(HashMap::new()),
            breakers: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for a slot on `channel` (and overall).
    pub async fn permit(&self, channel: ChannelId) -> (OwnedSemaphorePermit, OwnedSemaphorePermit) {
        let sem = {
            let mut m = self.channels.lock().unwrap_or_else(|p| p.into_inner());
            m.entry(channel)
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_channel)))
                .clone()
        };
        // Neither semaphore is ever closed.
        let global = self
            .global
            .clone()
            .acquire_owned()
            .await
            .expect("semaphore open");
        let local = sem.acquire_owned().await.expect("semaphore open");
        (global, local)
    }

    /// `Some(until)` while the channel's circuit is open.
    pub fn open_until(&self, channel: ChannelId, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let m = self.breakers.lock().unwrap_or_else(|p| p.into_inner());
        m.get(&channel)
            .and_then(|b| b.open_until)
            .filter(|until| *until > now)
    }

    /// The platform answered (a definite answer, even a refusal of the
    /// content, means it is up).
    pub fn success(&self, channel: ChannelId) {
        let mut m = self.breakers.lock().unwrap_or_else(|p| p.into_inner());
        m.remove(&channel);
    }

    /// The platform failed to answer (connection, 5xx, timeout). Returns
    /// when the circuit opened, if this failure opened it.
    pub fn failure(&self, channel: ChannelId, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let mut m = self.breakers.lock().unwrap_or_else(|p| p.into_inner());
        let b = m.entry(channel).or_default();
        b.consecutive_failures += 1;
        if b.consecutive_failures >= self.failures_to_open {
            // Half-open after the cooldown: the next failure re-opens at once.
            b.consecutive_failures = self.failures_to_open - 1;
            let until = now + self.cooldown;
            b.open_until = Some(until);
            return Some(until);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_channel_opens_then_probes_again() {
        let cfg = SchedulerConfig {
            breaker_failures: 3,
            breaker_cooldown: Duration::seconds(30),
            ..SchedulerConfig::default()
        };
        let l = Limits::new(&cfg);
        let now = DateTime::<Utc>::UNIX_EPOCH;
        assert_eq!(l.failure(ChannelId(7), now), None);
        assert_eq!(l.failure(ChannelId(7), now), None);
        assert_eq!(l.open_until(ChannelId(7), now), None);
        let until = l.failure(ChannelId(7), now).expect("third failure opens");
        assert_eq!(l.open_until(ChannelId(7), now), Some(until));
        assert_eq!(
            l.open_until(ChannelId(8), now),
            None,
            "other channels unaffected"
        );
        // After the cooldown one probe goes; failing again re-opens at once.
        let later = until + Duration::seconds(1);
        assert_eq!(l.open_until(ChannelId(7), later), None);
        assert!(l.failure(ChannelId(7), later).is_some());
        l.success(ChannelId(7));
        assert_eq!(l.open_until(ChannelId(7), later), None);
        assert_eq!(l.failure(ChannelId(7), later), None);
    }
}
