//! The store contract: the same behaviour from SQLite and PostgreSQL, each
//! test on a fresh database.

mod common;

use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;
use tongbu::domain::content::Platform;
use tongbu::domain::delivery::DeliveryState;
use tongbu::domain::post::ConnectionStatus;
use tongbu::domain::post::{NotificationKind, PostFilter};
use tongbu::domain::workflow::ApprovalChange;
use tongbu::domain::workflow::PostState;
use tongbu::domain::{ChannelId, PostId, Role, UserId, WorkspaceId};
use tongbu::store::{
    Conflict, Connection, Egress, Health, Intent, NewAudit, NewChannel, NewInvitation, NewUser,
    Outcome, PostHead, PostWrite, PostWritten, Store, StoreError,
};

fn new_user(email: &str) -> NewUser {
    NewUser {
        email: tongbu::domain::parse_email(email).unwrap(),
        display_name: "Someone".into(),
        password_hash: "$argon2id$fake".into(),
    }
}

async fn fresh(backend: common::Backend) -> (common::TestDb, Arc<dyn Store>) {
    let db = common::TestDb::new(backend).await;
    let store = db.store().await;
    (db, store)
}

async fn x_channel(
    store: &Arc<dyn Store>,
    ws: WorkspaceId,
    actor: UserId,
    name: &str,
) -> ChannelId {
    store
        .create_channel(
            ws,
            NewChannel {
                platform: Platform::X,
                name: name.into(),
                time_zone: "UTC".into(),
                slots: String::new(),
                emulated: true,
                api_base: None,
                auth_base: None,
            },
            actor,
            Utc::now(),
        )
        .await
        .expect("channel")
        .id
}

/// A draft write of `text` to `targets`: a create when `id` is `None`.
fn post_write(
    ws: WorkspaceId,
    id: Option<PostId>,
    expected_version: i64,
    actor: UserId,
    text: &str,
    targets: Vec<(ChannelId, Option<DateTime<Utc>>)>,
) -> PostWrite {
    PostWrite {
        ws,
        id,
        expected_version,
        actor,
        head: PostHead {
            state: PostState::Draft,
            campaign: None,
            schedule_json: None,
            content_json: tongbu::store::Json(tongbu::domain::post::PostContent {
                text: text.into(),
                ..Default::default()
            }),
            search_text: text.to_lowercase(),
            first_due_at: targets.iter().filter_map(|t| t.1).min(),
        },
        targets,
        new_revision: true,
        approvals: ApprovalChange::Keep,
        comment: None,
        notify: Vec::new(),
        audit_action: if id.is_none() {
            "post.create"
        } else {
            "post.edit"
        },
        audit_detail: serde_json::json!({}),
        now: Utc::now(),
    }
}

/// Runs `sql` on a connection of its own (the store's pool is private).
async fn raw_execute(
    db: &common::TestDb,
    backend: common::Backend,
    sql: &str,
) -> Result<u64, sqlx::Error> {
    use sqlx::Connection;
    match backend {
        common::Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&db.url).await?;
            Ok(sqlx::query(sql).execute(&mut conn).await?.rows_affected())
        }
        common::Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&db.url).await?;
            Ok(sqlx::query(sql).execute(&mut conn).await?.rows_affected())
        }
    }
}

/// A post targeting `channels`, due at `due`, written in `state`; returns
/// its id and version.
async fn post_in_state(
    store: &Arc<dyn Store>,
    ws: WorkspaceId,
    actor: UserId,
    channels: &[ChannelId],
    due: DateTime<Utc>,
    state: PostState,
) -> (PostId, i64) {
    let mut w = post_write(
        ws,
        None,
        0,
        actor,
        "hello",
        channels.iter().map(|c| (*c, Some(due))).collect(),
    );
    w.head.state = state;
    let done = store.write_post(w).await.expect("post");
    (done.id, done.version)
}

/// Rewrites post `(id, version)` into `state`; returns the new version.
async fn move_post(
    store: &Arc<dyn Store>,
    ws: WorkspaceId,
    actor: UserId,
    (id, version): (PostId, i64),
    channels: &[ChannelId],
    due: DateTime<Utc>,
    state: PostState,
) -> i64 {
    let mut w = post_write(
        ws,
        Some(id),
        version,
        actor,
        "hello again",
        channels.iter().map(|c| (*c, Some(due))).collect(),
    );
    w.head.state = state;
    store.write_post(w).await.expect("rewrite").version
}

/// A fresh store with an owner, their workspace and one X channel.
async fn one_channel(
    b: common::Backend,
) -> (
    common::TestDb,
    Arc<dyn Store>,
    tongbu::store::WorkspaceRow,
    tongbu::store::UserRow,
    ChannelId,
    DateTime<Utc>,
) {
    let (db, store) = fresh(b).await;
    let now = Utc::now();
    let (owner, ws) = store
        .create_first_owner(new_user("o@example.com"), "Acme", now)
        .await
        .unwrap();
    let c = x_channel(&store, ws.id(), owner.id(), "@a").await;
    (db, store, ws, owner, c, now)
}

fn intent(
    post_id: PostId,
    channel_id: ChannelId,
    fence: i64,
    until: DateTime<Utc>,
) -> Intent<'static> {
    Intent {
        post_id,
        channel_id,
        fence,
        idempotency_key: "key-1",
        request_json: "{}",
        lease_until: until,
    }
}

fn outcome(state: tongbu::domain::delivery::DeliveryState) -> Outcome<'static> {
    Outcome {
        state,
        remote_id: Some("remote-1"),
        remote_url: None,
        ..Outcome::default()
    }
}

on_both_backends! {
    first_owner_is_created_once_even_when_two_setups_race => |b| async move {
        let (_db, store) = fresh(b).await;
        let now = Utc::now();
        let (a, bb) = tokio::join!(
            store.create_first_owner(new_user("a@example.com"), "A", now),
            store.create_first_owner(new_user("b@example.com"), "B", now),
        );
        let wins = [a.is_ok(), bb.is_ok()].iter().filter(|x| **x).count();
        assert_eq!(wins, 1, "exactly one set-up may win");
        let loser = if a.is_ok() { bb.err() } else { a.err() };
        assert!(matches!(loser, Some(StoreError::Conflict(Conflict::AlreadySetUp))));
        assert_eq!(store.count_users().await.unwrap(), 1);
    };

    emails_are_unique => |b| async move {
        let (_db, store) = fresh(b).await;
        store.create_user(new_user("x@example.com"), Utc::now()).await.unwrap();
        let err = store.create_user(new_user("x@example.com"), Utc::now()).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(Conflict::EmailTaken)));
    };

    workspaces_are_visible_only_to_their_members => |b| async move {
        let (_db, store) = fresh(b).await;
        let now = Utc::now();
        let (owner, ws) = store.create_first_owner(new_user("o@example.com"), "Acme", now).await.unwrap();
        let outsider = store.create_user(new_user("x@example.com"), now).await.unwrap();
        let other = store.create_workspace("Other", outsider.id(), now).await.unwrap();
        assert!(store.workspace_for_member(ws.id(), outsider.id()).await.unwrap().is_none());
        assert!(store.workspace_for_member(other.id(), owner.id()).await.unwrap().is_none());
        let (w, role) = store.workspace_for_member(ws.id(), owner.id()).await.unwrap().unwrap();
        assert_eq!((w.name.as_str(), role), ("Acme", Role::Owner));
        let mine: Vec<String> = store.workspaces_of(owner.id()).await.unwrap().into_iter().map(|(w, _)| w.name).collect();
        assert_eq!(mine, vec!["Acme".to_owned()]);
    };

    the_last_owner_can_be_neither_demoted_nor_removed => |b| async move {
        let (_db, store) = fresh(b).await;
        let now = Utc::now();
        let (owner, ws) = store.create_first_owner(new_user("o@example.com"), "Acme", now).await.unwrap();
        let err = store.set_member_role(ws.id(), owner.id(), Role::Admin).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(Conflict::LastOwner)));
        let err = store.remove_member(ws.id(), owner.id()).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(Conflict::LastOwner)));
        // With a second owner, the first may step down.
        let second = store.create_user(new_user("s@example.com"), now).await.unwrap();
        store.add_member(ws.id(), second.id(), Role::Owner, now).await.unwrap();
        store.set_member_role(ws.id(), owner.id(), Role::Admin).await.unwrap();
        let err = store.remove_member(ws.id(), second.id()).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(Conflict::LastOwner)));
    };

    two_owners_demoting_each_other_at_once_leave_one_owner => |b| async move {
        let (_db, store) = fresh(b).await;
        let now = Utc::now();
        let (a, ws) = store.create_first_owner(new_user("a@example.com"), "Acme", now).await.unwrap();
        let bu = store.create_user(new_user("b@example.com"), now).await.unwrap();
        store.add_member(ws.id(), bu.id(), Role::Owner, now).await.unwrap();
        let (r1, r2) = tokio::join!(
            store.set_member_role(ws.id(), a.id(), Role::Viewer),
            store.set_member_role(ws.id(), bu.id(), Role::Viewer),
        );
        assert_eq!([r1.is_ok(), r2.is_ok()].iter().filter(|x| **x).count(), 1);
        let owners = store.members(ws.id()).await.unwrap().into_iter().filter(|m| m.role == Role::Owner).count();
        assert_eq!(owners, 1);
    };

    an_invitation_is_accepted_once => |b| async move {
        let (_db, store) = fresh(b).await;
        let now = Utc::now();
        let (owner, ws) = store.create_first_owner(new_user("o@example.com"), "Acme", now).await.unwrap();
        let inv = store
            .create_invitation(NewInvitation {
                workspace_id: ws.id(),
                email: tongbu::domain::parse_email("new@example.com").unwrap(),
                role: Role::Approver,
                token_hash: "h1".into(),
                invited_by: owner.id(),
                created_at: now,
                expires_at: now + Duration::days(7),
            })
            .await
            .unwrap();
        let u = store.create_user(new_user("new@example.com"), now).await.unwrap();
        let (r1, r2) = tokio::join!(
            store.accept_invitation(inv.id, u.id(), now),
            store.accept_invitation(inv.id, u.id(), now),
        );
        assert_eq!([r1.is_ok(), r2.is_ok()].iter().filter(|x| **x).count(), 1);
        let (_, role) = store.workspace_for_member(ws.id(), u.id()).await.unwrap().unwrap();
        assert_eq!(role, Role::Approver);
        assert!(store.invitation_by_token("h1", now).await.unwrap().is_none(), "used invitations are gone");
        assert!(store.invitations(ws.id(), now).await.unwrap().is_empty());
    };

    expired_invitations_cannot_be_used => |b| async move {
        let (_db, store) = fresh(b).await;
        let now = Utc::now();
        let (owner, ws) = store.create_first_owner(new_user("o@example.com"), "Acme", now).await.unwrap();
        let inv = store
            .create_invitation(NewInvitation {
                workspace_id: ws.id(),
                email: tongbu::domain::parse_email("late@example.com").unwrap(),
                role: Role::Editor,
                token_hash: "h2".into(),
                invited_by: owner.id(),
                created_at: now,
                expires_at: now + Duration::days(7),
            })
            .await
            .unwrap();
        let later = now + Duration::days(8);
        assert!(store.invitation_by_token("h2", later).await.unwrap().is_none());
        let u = store.create_user(new_user("late@example.com"), now).await.unwrap();
        assert!(matches!(store.accept_invitation(inv.id, u.id(), later).await, Err(StoreError::NotFound)));
    };

    api_tokens_are_found_by_hash_until_revoked => |b| async move {
        let (_db, store) = fresh(b).await;
        let now = Utc::now();
        let u = store.create_user(new_user("t@example.com"), now).await.unwrap();
        let other = store.create_user(new_user("o@example.com"), now).await.unwrap();
        let t = store.create_api_token(u.id(), "ci", "hash-1", "tb_abc", now).await.unwrap();
        assert!(t.last_used_at.is_none());
        let later = now + Duration::minutes(5);
        let found = store.user_by_api_token("hash-1", later).await.unwrap().unwrap();
        assert_eq!(found.id, u.id);
        let listed = store.api_tokens(u.id()).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].last_used_at.map(|t| t.timestamp()), Some(later.timestamp()));
        // Someone else cannot revoke it.
        assert!(matches!(store.revoke_api_token(other.id(), t.id, now).await, Err(StoreError::NotFound)));
        store.revoke_api_token(u.id(), t.id, now).await.unwrap();
        assert!(store.user_by_api_token("hash-1", later).await.unwrap().is_none());
        assert!(store.api_tokens(u.id()).await.unwrap().is_empty());
    };

    password_changes_bump_the_session_epoch => |b| async move {
        let (_db, store) = fresh(b).await;
        let u = store.create_user(new_user("p@example.com"), Utc::now()).await.unwrap();
        assert_eq!(u.session_epoch, 0);
        store.set_password(u.id(), "$argon2id$new", Utc::now()).await.unwrap();
        let u2 = store.user_by_id(u.id()).await.unwrap().unwrap();
        assert_eq!((u2.session_epoch, u2.password_hash.as_str()), (1, "$argon2id$new"));
        assert!(matches!(store.set_password(UserId(9999), "x", Utc::now()).await, Err(StoreError::NotFound)));
    };

    sessions_expire_and_are_cleaned_up => |b| async move {
        let (_db, store) = fresh(b).await;
        let now = Utc::now();
        assert!(store.session_create("s1", "{}", now + Duration::hours(1)).await.unwrap());
        assert!(!store.session_create("s1", "{\"x\":1}", now + Duration::hours(1)).await.unwrap(), "ids are never overwritten on create");
        assert_eq!(store.session_load("s1", now).await.unwrap().as_deref(), Some("{}"));
        store.session_save("s1", "{\"uid\":1}", now + Duration::hours(2)).await.unwrap();
        assert_eq!(store.session_load("s1", now + Duration::minutes(90)).await.unwrap().as_deref(), Some("{\"uid\":1}"));
        assert!(store.session_load("s1", now + Duration::hours(3)).await.unwrap().is_none());
        assert_eq!(store.session_delete_expired(now + Duration::hours(3)).await.unwrap(), 1);
        store.session_save("s2", "{}", now + Duration::hours(1)).await.unwrap();
        store.session_delete("s2").await.unwrap();
        assert!(store.session_load("s2", now).await.unwrap().is_none());
    };

    login_failures_are_counted_within_the_window => |b| async move {
        let (_db, store) = fresh(b).await;
        let t0 = Utc::now();
        for i in 0..3 {
            store.record_login_failure("account:a@example.com", t0 + Duration::minutes(i)).await.unwrap();
        }
        store.record_login_failure("account:b@example.com", t0).await.unwrap();
        let (n, oldest) = store.login_failures("account:a@example.com", t0 - Duration::minutes(1)).await.unwrap();
        assert_eq!(n, 3);
        assert_eq!(oldest.map(|t| t.timestamp()), Some(t0.timestamp()));
        let (n, _) = store.login_failures("account:a@example.com", t0 + Duration::seconds(30)).await.unwrap();
        assert_eq!(n, 2, "failures before the window do not count");
        store.clear_login_failures("account:a@example.com").await.unwrap();
        assert_eq!(store.login_failures("account:a@example.com", t0 - Duration::hours(1)).await.unwrap().0, 0);
        assert_eq!(store.login_failures("account:b@example.com", t0 - Duration::hours(1)).await.unwrap().0, 1);
        assert_eq!(store.prune_login_failures(t0 + Duration::seconds(1)).await.unwrap(), 1);
    };

    the_audit_log_is_scoped_by_workspace_and_newest_first => |b| async move {
        let (_db, store) = fresh(b).await;
        let now = Utc::now();
        let (owner, ws) = store.create_first_owner(new_user("o@example.com"), "Acme", now).await.unwrap();
        let other = store.create_workspace("Other", owner.id(), now).await.unwrap();
        for (w, action) in [(ws.id(), "first"), (other.id(), "elsewhere"), (ws.id(), "second")] {
            store
                .append_audit(NewAudit {
                    workspace_id: Some(w),
                    actor: Some(owner.id()),
                    action: if action == "first" { "a.first" } else if action == "second" { "a.second" } else { "a.other" },
                    subject: action.into(),
                    detail: serde_json::json!({"k": action}),
                    at: now,
                })
                .await
                .unwrap();
        }
        let log = store.audit_log(ws.id(), 10).await.unwrap();
        let actions: Vec<&str> = log.iter().map(|r| r.action.as_str()).collect();
        assert_eq!(actions, vec!["a.second", "a.first"]);
        assert_eq!(store.audit_log(WorkspaceId(424242), 10).await.unwrap().len(), 0);
    };

    posts_are_written_with_optimistic_versions => |b| async move {
        let (_db, store) = fresh(b).await;
        let now = Utc::now();
        let (owner, ws) = store.create_first_owner(new_user("o@example.com"), "Acme", now).await.unwrap();
        let (owner, ws) = (owner.id(), ws.id());
        let ch = x_channel(&store, ws, owner, "X").await;
        let due = DateTime::from_timestamp(now.timestamp() + 3_600, 0).unwrap();

        let created = store.write_post(post_write(ws, None, 0, owner, "first", vec![(ch, Some(due))])).await.unwrap();
        assert_eq!((created.version, created.revision), (1, 1));
        let rec = store.post(ws, created.id).await.unwrap().expect("stored");
        assert_eq!((rec.post.version, rec.post.revision, rec.post.state.as_str()), (1, 1, "draft"));
        assert_eq!(rec.channels.len(), 1);
        assert_eq!(rec.channels[0].channel_id, ch);
        assert_eq!(rec.channels[0].due_at, Some(due));
        assert_eq!(rec.post.first_due_at, Some(due));

        // An update on the version read: both counters move.
        let edited = store.write_post(post_write(ws, Some(created.id), 1, owner, "second", vec![(ch, None)])).await.unwrap();
        assert_eq!(edited, PostWritten { id: created.id, version: 2, revision: 2 });
        // A state-only change bumps the version, not the revision, and can approve.
        let mut approve = post_write(ws, Some(created.id), 2, owner, "second", vec![(ch, None)]);
        approve.new_revision = false;
        approve.approvals = ApprovalChange::Add(owner);
        approve.audit_action = "post.approve";
        let approved = store.write_post(approve).await.unwrap();
        assert_eq!((approved.version, approved.revision), (3, 2));
        let rec = store.post(ws, created.id).await.unwrap().unwrap();
        assert_eq!((rec.post.version, rec.post.revision), (3, 2));
        assert!(rec.post.content_json.0.text.contains("second"));
        assert_eq!(rec.approvals.len(), 1);
        assert_eq!(rec.approvals[0].revision, 2);
        assert_eq!(rec.channels[0].due_at, None);
        let revisions = store.revisions(ws, created.id).await.unwrap();
        assert_eq!(revisions.iter().map(|r| r.number).collect::<Vec<_>>(), vec![1, 2]);
        let audit: Vec<String> = store.post_audit(ws, created.id).await.unwrap().into_iter().map(|a| a.action).collect();
        assert_eq!(audit, vec!["post.create", "post.edit", "post.approve"]);

        // A write on an older version is refused and changes nothing at all.
        let mut stale = post_write(ws, Some(created.id), 2, owner, "stale", vec![]);
        stale.approvals = ApprovalChange::Clear;
        stale.comment = Some((tongbu::domain::post::CommentKind::Comment, "lost".into()));
        stale.notify = vec![(owner, NotificationKind::ReviewNeeded)];
        stale.head.state = PostState::InReview;
        let err = store.write_post(stale).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(Conflict::Stale)), "{err:?}");
        let after = store.post(ws, created.id).await.unwrap().unwrap();
        assert_eq!((after.post.version, after.post.revision, after.post.state.as_str()), (3, 2, "draft"));
        assert!(after.post.content_json.0.text.contains("second"));
        assert_eq!(after.approvals.len(), 1, "approvals kept");
        assert_eq!(after.channels.len(), 1, "targets kept");
        assert_eq!(store.revisions(ws, created.id).await.unwrap().len(), 2);
        assert!(store.comments(ws, created.id).await.unwrap().is_empty());
        assert!(store.notifications(owner, 10).await.unwrap().is_empty());
        assert_eq!(store.post_audit(ws, created.id).await.unwrap().len(), 3);
        // A newer version than stored is just as stale.
        let err = store.write_post(post_write(ws, Some(created.id), 4, owner, "future", vec![(ch, None)])).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(Conflict::Stale)), "{err:?}");

        // A post that is not there, or not in this workspace, is not found.
        let err = store.write_post(post_write(ws, Some(PostId(999_999)), 1, owner, "ghost", vec![])).await.unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{err:?}");
        let other = store.create_workspace("Other", owner, now).await.unwrap().id();
        let err = store.write_post(post_write(other, Some(created.id), 3, owner, "elsewhere", vec![])).await.unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{err:?}");
        assert!(store.post(other, created.id).await.unwrap().is_none());
        assert_eq!(store.post(ws, created.id).await.unwrap().unwrap().post.version, 3);
    };

    concurrent_writes_on_one_version_let_exactly_one_through => |b| async move {
        let (_db, store) = fresh(b).await;
        let now = Utc::now();
        let (owner, ws) = store.create_first_owner(new_user("o@example.com"), "Acme", now).await.unwrap();
        let (owner, ws) = (owner.id(), ws.id());
        let ch = x_channel(&store, ws, owner, "X").await;
        let id = store.write_post(post_write(ws, None, 0, owner, "v1", vec![(ch, None)])).await.unwrap().id;
        let mut tasks = Vec::new();
        for i in 0..8 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                store.write_post(post_write(ws, Some(id), 1, owner, &format!("writer {i}"), vec![(ch, None)])).await
            }));
        }
        let mut won = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(w) => {
                    won += 1;
                    assert_eq!((w.version, w.revision), (2, 2));
                }
                Err(StoreError::Conflict(Conflict::Stale)) => {}
                Err(e) => panic!("a losing writer must see `stale`, got {e:?}"),
            }
        }
        assert_eq!(won, 1);
        assert_eq!(store.revisions(ws, id).await.unwrap().len(), 2);
    };

    post_targets_must_be_live_channels_of_the_same_workspace => |b| async move {
        let (_db, store) = fresh(b).await;
        let now = Utc::now();
        let (owner, ws) = store.create_first_owner(new_user("o@example.com"), "Acme", now).await.unwrap();
        let (owner, ws) = (owner.id(), ws.id());
        let mine = x_channel(&store, ws, owner, "Mine").await;
        let other = store.create_workspace("Other", owner, now).await.unwrap().id();
        let theirs = x_channel(&store, other, owner, "Theirs").await;

        for targets in [vec![(theirs, None)], vec![(mine, None), (theirs, None)], vec![(ChannelId(999_999), None)], vec![(mine, None), (mine, None)]] {
            let err = store.write_post(post_write(ws, None, 0, owner, "planted", targets.clone())).await.unwrap_err();
            assert!(matches!(err, StoreError::Conflict(Conflict::UnknownChannel)), "{targets:?}: {err:?}");
        }
        assert!(store.posts(ws, &PostFilter::default(), 100).await.unwrap().is_empty(), "no post was created");
        assert!(store.posts(other, &PostFilter::default(), 100).await.unwrap().is_empty());

        let id = store.write_post(post_write(ws, None, 0, owner, "legit", vec![(mine, None)])).await.unwrap().id;
        let err = store.write_post(post_write(ws, Some(id), 1, owner, "redirected", vec![(mine, None), (theirs, None)])).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(Conflict::UnknownChannel)), "{err:?}");
        let rec = store.post(ws, id).await.unwrap().unwrap();
        assert_eq!(rec.post.version, 1);
        assert!(rec.post.content_json.0.text.contains("legit"));
        assert_eq!(rec.channels.iter().map(|c| c.channel_id).collect::<Vec<_>>(), vec![mine]);
        assert_eq!(store.post_audit(ws, id).await.unwrap().len(), 1);
        // An empty target list is fine (a draft without channels).
        store.write_post(post_write(ws, Some(id), 1, owner, "nowhere yet", vec![])).await.unwrap();
        assert!(store.post(ws, id).await.unwrap().unwrap().channels.is_empty());
    };

    the_audit_log_cannot_be_rewritten_or_deleted => |b| async move {
        let (db, store) = fresh(b).await;
        let now = Utc::now();
        let (owner, ws) = store.create_first_owner(new_user("o@example.com"), "Acme", now).await.unwrap();
        let (owner, ws) = (owner.id(), ws.id());
        let ch = x_channel(&store, ws, owner, "X").await;
        store.write_post(post_write(ws, None, 0, owner, "audited", vec![(ch, None)])).await.unwrap();
        store
            .append_audit(NewAudit {
                workspace_id: Some(ws),
                actor: Some(owner),
                action: "a.manual",
                subject: "manual".into(),
                detail: serde_json::json!({}),
                at: now,
            })
            .await
            .unwrap();
        let before: Vec<(i64, String, String)> = store.audit_log(ws, 100).await.unwrap().into_iter().map(|r| (r.id, r.action, r.detail)).collect();
        assert!(before.len() >= 3, "{before:?}");

        // The side connection works...
        assert_eq!(raw_execute(&db, b, "UPDATE posts SET search_text = search_text").await.unwrap(), 1);
        // ...but history stays as written.
        for sql in [
            "UPDATE audit_log SET action = 'tampered'",
            "UPDATE audit_log SET detail = '{}' WHERE action = 'a.manual'",
            "UPDATE audit_log SET actor_user_id = NULL",
            "DELETE FROM audit_log",
            "DELETE FROM audit_log WHERE action = 'post.create'",
        ] {
            let err = raw_execute(&db, b, sql).await.expect_err(sql);
            assert!(err.to_string().contains("append-only"), "{sql}: {err}");
        }
        let after: Vec<(i64, String, String)> = store.audit_log(ws, 100).await.unwrap().into_iter().map(|r| (r.id, r.action, r.detail)).collect();
        assert_eq!(after, before);
        // Appending still works.
        store
            .append_audit(NewAudit {
                workspace_id: Some(ws),
                actor: Some(owner),
                action: "a.later",
                subject: "later".into(),
                detail: serde_json::json!({}),
                at: now,
            })
            .await
            .unwrap();
        assert_eq!(store.audit_log(ws, 100).await.unwrap().len(), before.len() + 1);
    };

    a_connection_is_stored_sealed_and_versioned => |b| async move {
        let (_db, store) = fresh(b).await;
        let now = Utc::now();
        let (owner, ws) = store.create_first_owner(new_user("o@example.com"), "Acme", now).await.unwrap();
        let id = x_channel(&store, ws.id(), owner.id(), "@acme").await;
        let fresh_row = store.channel(ws.id(), id).await.unwrap().unwrap();
        assert_eq!(fresh_row.auth_status, ConnectionStatus::NotConnected);
        let row = store
            .connect_channel(ws.id(), id, Connection {
                account_id: "42".into(),
                account_name: "Acme".into(),
                credentials: "v1.k.sealed-one".into(),
                token_expires_at: Some(now + Duration::hours(2)),
                text_limit: None,
            }, owner.id(), now)
            .await
            .unwrap();
        assert_eq!((row.auth_status.as_str(), row.account_name.as_deref()), ("connected", Some("Acme")));
        let sealed = store.channel_credentials(ws.id(), id).await.unwrap().unwrap();
        assert_eq!(sealed.credentials.as_deref(), Some("v1.k.sealed-one"));
        // Two rotations from the same version: only the first lands.
        let v = sealed.credentials_version;
        let next = store.rotate_credentials(ws.id(), id, v, "v1.k.sealed-two", None).await.unwrap();
        assert_eq!(next, v + 1);
        let err = store.rotate_credentials(ws.id(), id, v, "v1.k.sealed-three", None).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(Conflict::Stale)));
        let now_sealed = store.channel_credentials(ws.id(), id).await.unwrap().unwrap();
        assert_eq!(now_sealed.credentials.as_deref(), Some("v1.k.sealed-two"));
        // Another workspace cannot read or write them.
        let other = store.create_workspace("Other", owner.id(), now).await.unwrap();
        assert!(store.channel_credentials(other.id(), id).await.unwrap().is_none());
        assert!(store.rotate_credentials(other.id(), id, next, "x", None).await.is_err());
    };

    only_an_auth_failure_asks_for_reconnecting => |b| async move {
        let (_db, store) = fresh(b).await;
        let now = Utc::now();
        let (owner, ws) = store.create_first_owner(new_user("o@example.com"), "Acme", now).await.unwrap();
        let id = x_channel(&store, ws.id(), owner.id(), "@acme").await;
        store
            .connect_channel(ws.id(), id, Connection {
                account_id: "42".into(),
                account_name: "Acme".into(),
                credentials: "v1.k.s".into(),
                token_expires_at: None,
                text_limit: None,
            }, owner.id(), now)
            .await
            .unwrap();
        store.record_health(ws.id(), id, Health::Failure("timeout"), now).await.unwrap();
        let row = store.channel(ws.id(), id).await.unwrap().unwrap();
        assert_eq!((row.auth_status.as_str(), row.last_error.as_deref()), ("connected", Some("timeout")));
        store.record_health(ws.id(), id, Health::AuthFailure("token revoked"), now).await.unwrap();
        assert_eq!(store.channel(ws.id(), id).await.unwrap().unwrap().auth_status, ConnectionStatus::Reconnect);
        store.record_health(ws.id(), id, Health::Success, now + Duration::minutes(1)).await.unwrap();
        let row = store.channel(ws.id(), id).await.unwrap().unwrap();
        assert_eq!(row.auth_status, ConnectionStatus::Connected);
        // PostgreSQL keeps microseconds.
        let at = now + Duration::minutes(1);
        assert_eq!(row.last_success_at.map(|t| t.timestamp_micros()), Some(at.timestamp_micros()));
    };

    resealing_is_all_or_nothing => |b| async move {
        let (_db, store) = fresh(b).await;
        let now = Utc::now();
        let (owner, ws) = store.create_first_owner(new_user("o@example.com"), "Acme", now).await.unwrap();
        let mut ids = Vec::new();
        for name in ["@a", "@b"] {
            let id = x_channel(&store, ws.id(), owner.id(), name).await;
            store
                .connect_channel(ws.id(), id, Connection {
                    account_id: name.into(),
                    account_name: name.into(),
                    credentials: format!("old-{name}"),
                    token_expires_at: None,
                    text_limit: None,
                }, owner.id(), now)
                .await
                .unwrap();
            ids.push(id);
        }
        let all = store.all_credentials().await.unwrap();
        assert_eq!(all.len(), 2);
        // One stale version spoils the whole batch.
        let rows = vec![
            (all[0].id, all[0].credentials_version, "new-a".to_owned()),
            (all[1].id, all[1].credentials_version - 1, "new-b".to_owned()),
        ];
        assert!(store.reseal_all(&rows).await.is_err());
        let after = store.all_credentials().await.unwrap();
        assert_eq!(after[0].credentials.as_deref(), Some("old-@a"));
        let rows: Vec<_> = after.iter().map(|r| (r.id, r.credentials_version, format!("new-{}", r.id))).collect();
        store.reseal_all(&rows).await.unwrap();
        for r in store.all_credentials().await.unwrap() {
            assert_eq!(r.credentials, Some(format!("new-{}", r.id)));
        }
    };

    egress_and_emulator_address_are_per_channel => |b| async move {
        let (_db, store) = fresh(b).await;
        let now = Utc::now();
        let (owner, ws) = store.create_first_owner(new_user("o@example.com"), "Acme", now).await.unwrap();
        let id = x_channel(&store, ws.id(), owner.id(), "@acme").await;
        let row = store
            .set_egress(ws.id(), id, Egress {
                api_base: Some("http://127.0.0.1:9".into()),
                auth_base: None,
                proxy: Some("socks5://127.0.0.1:1080".into()),
            }, owner.id(), now)
            .await
            .unwrap();
        assert_eq!(row.proxy.as_deref(), Some("socks5://127.0.0.1:1080"));
        store.retarget_emulated("http://127.0.0.1:7777").await.unwrap();
        let row = store.channel(ws.id(), id).await.unwrap().unwrap();
        assert_eq!(row.api_base.as_deref(), Some("http://127.0.0.1:7777"));
        assert_eq!(row.proxy.as_deref(), Some("socks5://127.0.0.1:1080"));
    };

    only_due_approved_deliveries_are_claimed_and_each_once => |b| async move {
        let (_db, store) = fresh(b).await;
        let now = Utc::now();
        let (owner, ws) = store.create_first_owner(new_user("o@example.com"), "Acme", now).await.unwrap();
        let (c1, c2) = (x_channel(&store, ws.id(), owner.id(), "@a").await, x_channel(&store, ws.id(), owner.id(), "@b").await);
        let due = now + Duration::minutes(10);
        let (scheduled, _) = post_in_state(&store, ws.id(), owner.id(), &[c1, c2], due, PostState::Scheduled).await;
        // A draft and a post in review are never claimed, due or not.
        post_in_state(&store, ws.id(), owner.id(), &[c1], due, PostState::Draft).await;
        post_in_state(&store, ws.id(), owner.id(), &[c1], due, PostState::InReview).await;
        let until = due + Duration::minutes(5);
        assert!(store.claim_due(now, "w1", until, 10).await.unwrap().is_empty(), "not due yet");
        let claimed = store.claim_due(due, "w1", until, 10).await.unwrap();
        assert_eq!(claimed.len(), 2);
        assert!(claimed.iter().all(|c| c.post_id == scheduled && c.attempts == 0 && c.fence >= 1));
        assert!(store.claim_due(due, "w2", until, 10).await.unwrap().is_empty(), "claimed once");
    };

    concurrent_claimers_never_share_a_delivery => |b| async move {
        let (_db, store) = fresh(b).await;
        let now = Utc::now();
        let (owner, ws) = store.create_first_owner(new_user("o@example.com"), "Acme", now).await.unwrap();
        let mut channels = Vec::new();
        for i in 0..4 {
            channels.push(x_channel(&store, ws.id(), owner.id(), &format!("@c{i}")).await);
        }
        for _ in 0..15 {
            post_in_state(&store, ws.id(), owner.id(), &channels, now, PostState::Scheduled).await;
        }
        let mut tasks = Vec::new();
        for w in 0..4 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let got = store.claim_due(now, &format!("w{w}"), now + Duration::minutes(5), 7).await.unwrap();
                    if got.is_empty() {
                        break;
                    }
                    mine.extend(got.into_iter().map(|c| (c.post_id, c.channel_id)));
                }
                mine
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        let total = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!((total, all.len()), (60, 60), "every delivery claimed exactly once");
    };

    a_claim_is_fenced_out_by_an_edit_and_by_a_lapsed_lease => |b| async move {
        let (_db, store, ws, owner, c, now) = one_channel(b).await;
        let (post, version) = post_in_state(&store, ws.id(), owner.id(), &[c], now, PostState::Scheduled).await;
        let claim = store.claim_due(now, "w1", now + Duration::minutes(5), 10).await.unwrap().remove(0);
        // The post is edited back into review before the worker commits its
        // intent: the worker can no longer send.
        let version = move_post(&store, ws.id(), owner.id(), (post, version), &[c], now, PostState::InReview).await;
        let err = store.begin_attempt(intent(post, c, claim.fence, now + Duration::minutes(5)), now).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(Conflict::Fenced)));
        assert!(store.claim_due(now, "w1", now + Duration::minutes(5), 10).await.unwrap().is_empty(), "unapproved");
        // Approved again at the new revision: claimable, at a new fence.
        move_post(&store, ws.id(), owner.id(), (post, version), &[c], now, PostState::Scheduled).await;
        let again = store.claim_due(now, "w2", now + Duration::minutes(5), 10).await.unwrap().remove(0);
        assert!(again.fence > claim.fence);
        assert!(again.revision > claim.revision);
        // The lease lapses before the intent: freed for another worker, and
        // the late worker is fenced out.
        let later = now + Duration::minutes(6);
        let swept = store.expire_leases(later, later).await.unwrap();
        assert_eq!((swept.freed, swept.unknown), (1, 0));
        let err = store.begin_attempt(intent(post, c, again.fence, later), later).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(Conflict::Fenced)));
        assert_eq!(store.claim_due(later, "w3", later + Duration::minutes(5), 10).await.unwrap().len(), 1);
    };

    an_attempt_is_committed_before_it_is_sent_and_ends_once => |b| async move {
        let (_db, store, ws, owner, c, now) = one_channel(b).await;
        let (post, _) = post_in_state(&store, ws.id(), owner.id(), &[c], now, PostState::Scheduled).await;
        let claim = store.claim_due(now, "w1", now + Duration::minutes(5), 10).await.unwrap().remove(0);
        assert_eq!(store.begin_attempt(intent(post, c, claim.fence, now + Duration::minutes(5)), now).await.unwrap(), 1);
        store.record_progress(post, c, claim.fence, r#"{"tweet_ids":["1"]}"#).await.unwrap();
        store.finish_attempt(post, c, claim.fence, outcome(tongbu::domain::delivery::DeliveryState::Published), now).await.unwrap();
        let err = store.finish_attempt(post, c, claim.fence, outcome(tongbu::domain::delivery::DeliveryState::Published), now).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(Conflict::Fenced)), "ends once");
        let record = store.post(ws.id(), post).await.unwrap().unwrap();
        let ch = &record.channels[0];
        assert_eq!((ch.delivery_state.as_str(), ch.remote_id.as_deref(), ch.attempts), ("published", Some("remote-1"), 1));
        // Nothing claims a published delivery again.
        assert!(store.claim_due(now + Duration::hours(1), "w1", now + Duration::hours(2), 10).await.unwrap().is_empty());
    };

    a_worker_lost_while_sending_leaves_the_delivery_unknown => |b| async move {
        let (_db, store, ws, owner, c, now) = one_channel(b).await;
        let (post, version) = post_in_state(&store, ws.id(), owner.id(), &[c], now, PostState::Scheduled).await;
        let claim = store.claim_due(now, "w1", now + Duration::minutes(5), 10).await.unwrap().remove(0);
        store.begin_attempt(intent(post, c, claim.fence, now + Duration::minutes(5)), now).await.unwrap();
        // Sending moved the post on: a change decided on what it was before
        // conflicts.
        let stale = post_write(ws.id(), Some(post), version, owner.id(), "hello again", vec![(c, Some(now))]);
        assert!(store.write_post(PostWrite { head: PostHead { state: PostState::Cancelled, ..stale.head.clone() }, ..stale }).await.is_err());
        let record = store.post(ws.id(), post).await.unwrap().unwrap();
        assert_eq!(record.post.state, PostState::Publishing);
        // A person who sees it publishing cancels: too late to stop it.
        move_post(&store, ws.id(), owner.id(), (post, record.post.version), &[c], now, PostState::Cancelled).await;
        let later = now + Duration::minutes(6);
        let swept = store.expire_leases(later, later).await.unwrap();
        assert_eq!((swept.freed, swept.unknown), (0, 1));
        let record = store.post(ws.id(), post).await.unwrap().unwrap();
        assert_eq!(record.channels[0].delivery_state, DeliveryState::Unknown);
        // Never claimed again without reconciliation.
        assert!(store.claim_due(later, "w2", later + Duration::minutes(5), 10).await.unwrap().is_empty());
    };

    health_counts_what_is_late_stuck_or_in_doubt => |b| async move {
        let (_db, store, ws, owner, c, now) = one_channel(b).await;
        assert_eq!(store.delivery_health(now, None).await.unwrap(), tongbu::store::DeliveryHealth::default());
        // Due five minutes ago and nobody claimed it.
        let (late, _) = post_in_state(&store, ws.id(), owner.id(), &[c], now - Duration::minutes(5), PostState::Scheduled).await;
        // Due later: not overdue.
        post_in_state(&store, ws.id(), owner.id(), &[c], now + Duration::hours(1), PostState::Scheduled).await;
        let h = store.delivery_health(now, None).await.unwrap();
        assert_eq!((h.overdue, h.stuck, h.unknown), (1, 0, 0));
        // Claimed, then its worker vanished mid-send.
        let claim = store.claim_due(now, "w1", now + Duration::minutes(1), 10).await.unwrap().remove(0);
        assert_eq!(claim.post_id, late);
        store.begin_attempt(intent(late, c, claim.fence, now + Duration::minutes(1)), now).await.unwrap();
        let h = store.delivery_health(now + Duration::minutes(3), None).await.unwrap();
        assert_eq!((h.overdue, h.stuck, h.unknown), (0, 1, 0));
        // Swept to UNKNOWN; in doubt for over 15 minutes it counts.
        store.expire_leases(now + Duration::minutes(3), now + Duration::minutes(3)).await.unwrap();
        let h = store.delivery_health(now + Duration::minutes(5), None).await.unwrap();
        assert_eq!((h.stuck, h.unknown), (0, 0));
        let h = store.delivery_health(now + Duration::minutes(20), None).await.unwrap();
        assert_eq!(h.unknown, 1);
        // Both posts are still open: one in doubt, one armed for later.
        assert_eq!(store.open_deliveries().await.unwrap(), 2);
    };

    cancelling_stops_deliveries_that_were_not_sent => |b| async move {
        let (_db, store, ws, owner, c, now) = one_channel(b).await;
        let (post, version) = post_in_state(&store, ws.id(), owner.id(), &[c], now + Duration::hours(1), PostState::Scheduled).await;
        move_post(&store, ws.id(), owner.id(), (post, version), &[c], now + Duration::hours(1), PostState::Cancelled).await;
        let record = store.post(ws.id(), post).await.unwrap().unwrap();
        assert_eq!(record.channels[0].delivery_state, DeliveryState::Cancelled);
        assert!(store.claim_due(now + Duration::hours(2), "w1", now + Duration::hours(3), 10).await.unwrap().is_empty());
        assert_eq!(store.open_deliveries().await.unwrap(), 0);
    };

    concurrent_writers_never_fail_with_busy => |b| async move {
        let (_db, store) = fresh(b).await;
        let now = Utc::now();
        let (owner, _) = store.create_first_owner(new_user("o@example.com"), "Acme", now).await.unwrap();
        let mut tasks = Vec::new();
        for i in 0..24 {
            let store = store.clone();
            let owner = owner.id();
            tasks.push(tokio::spawn(async move {
                let ws = store.create_workspace(&format!("W{i}"), owner, now).await?;
                let u = store.create_user(new_user(&format!("u{i}@example.com")), now).await?;
                store.add_member(ws.id(), u.id(), Role::Editor, now).await?;
                store.set_member_role(ws.id(), u.id(), Role::Approver).await?;
                store.record_login_failure(&format!("k{i}"), now).await?;
                Ok::<_, StoreError>(())
            }));
        }
        for t in tasks {
            t.await.unwrap().expect("no write may fail under concurrency");
        }
        assert_eq!(store.workspaces_of(owner.id()).await.unwrap().len(), 25);
    };
}

#[test]
fn both_backends_have_the_same_migration_versions() {
    let versions = |dir: &str| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                e.unwrap()
                    .file_name()
                    .to_string_lossy()
                    .split('_')
                    .next()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        v.sort();
        v
    };
    let sqlite = versions(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"));
    let postgres = versions(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"));
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_foreign_keys() {
    let db = common::TestDb::new(common::Backend::Sqlite).await;
    let _store = db.store().await;
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(mode.to_lowercase(), "wal");
    // Foreign keys are per connection: check the store's own pool enforces them
    // by inserting a membership for a workspace that does not exist.
    let store = tongbu::store::SqliteStore::connect(&db.url).await.unwrap();
    let u = store
        .create_user(new_user("fk@example.com"), Utc::now())
        .await
        .unwrap();
    let err = store
        .add_member(WorkspaceId(999), u.id(), Role::Viewer, Utc::now())
        .await;
    assert!(
        err.is_err(),
        "a membership of a missing workspace must be refused"
    );
}

#[tokio::test]
async fn sqlite_creates_its_data_folder_on_first_start() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("fresh").join("data");
    let url = format!("sqlite://{}", nested.join("tongbu.db").display());
    let store = tongbu::store::connect(&url)
        .await
        .expect("a missing folder is created");
    assert_eq!(store.count_users().await.unwrap(), 0);
    assert!(nested.join("tongbu.db").exists());
}
