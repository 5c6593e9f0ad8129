//! Group commit of outcomes. Each delivery's outcome is committed the
//! moment it is known, but outcomes that arrive together share one
//! transaction (one durable write), which is what lets one SQLite file keep
//! up with thousands of deliveries a second.

use super::ports::Ports;
use crate::domain::delivery::DeliveryState;
use crate::domain::{ChannelId, PostId};
use crate::store::{Move, Outcome};
use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};

/// An outcome to commit, owning its texts.
#[derive(Clone, Debug, Default)]
pub struct OwnedMove {
    pub post_id: PostId,
    pub channel_id: ChannelId,
    pub fence: i64,
    pub from: DeliveryState,
    pub state: DeliveryState,
    pub remote_id: Option<String>,
    pub remote_url: Option<String>,
    pub remote_extra_json: Option<String>,
    pub error: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub followup_at: Option<DateTime<Utc>>,
    pub closes_attempt: bool,
}

impl OwnedMove {
    pub fn as_move(&self) -> Move<'_> {
        Move {
            post_id: self.post_id,
            channel_id: self.channel_id,
            fence: self.fence,
            from: self.from,
            outcome: Outcome {
                state: self.state,
                remote_id: self.remote_id.as_deref(),
                remote_url: self.remote_url.as_deref(),
                remote_extra_json: self.remote_extra_json.as_deref(),
                error: self.error.as_deref(),
                next_attempt_at: self.next_attempt_at,
                followup_at: self.followup_at,
            },
            closes_attempt: self.closes_attempt,
        }
    }
}

type Reply = oneshot::Sender<Result<bool, String>>;

/// Most outcomes one transaction takes.
const MAX_GROUP: usize = 256;

#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<(OwnedMove, Reply)>,
}

impl Writer {
    pub fn start(ports: Ports) -> Writer {
        let (tx, mut rx) = mpsc::channel::<(OwnedMove, Reply)>(4096);
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut group = vec![first];
                while group.len() < MAX_GROUP {
                    match rx.try_recv() {
                        Ok(m) => group.push(m),
                        Err(_) => break,
                    }
                }
                let moves: Vec<Move<'_>> = group.iter().map(|(m, _)| m.as_move()).collect();
                let result = ports.store.apply_moves(&moves, ports.now()).await;
                drop(moves);
                match result {
                    Ok(done) => {
                        for ((_, reply), ok) in group.into_iter().zip(done) {
                            let _ = reply.send(Ok(ok));
                        }
                    }
                    Err(e) => {
                        let msg = e.to_string();
                        for (_, reply) in group {
                            let _ = reply.send(Err(msg.clone()));
                        }
                    }
                }
            }
        });
        Writer { tx }
    }

    /// Commits `m` (with whatever else is waiting); `Ok(false)` when it was
    /// fenced out. An error leaves the delivery to its lease: a sending one
    /// becomes UNKNOWN and is reconciled, never sent blindly again.
    pub async fn commit(&self, m: OwnedMove) -> Result<bool, String> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send((m, reply))
            .await
            .map_err(|_| "the outcome writer stopped".to_owned())?;
        answer
            .await
            .map_err(|_| "the outcome writer stopped".to_owned())?
    }
}
