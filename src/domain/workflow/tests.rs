//! Tests of the workflow: the exhaustive state × action × role table, then
//! roles, approvals, rejection, editing, rescheduling, cancelling, delivery,
//! names and wire format, and random walks that check the invariants.

use super::*;
use crate::domain::role::Role;
use crate::domain::UserId;
use proptest::prelude::*;
use ActionKind as K;
use PostState::*;

const AUTHOR: UserId = UserId(1);
const ACTOR: UserId = UserId(2);
const OTHER_REVIEWER: UserId = UserId(3);

fn member(user_id: UserId, role: Role) -> Actor {
    Actor::Member { user_id, role }
}

fn facts(approvals: &[UserId], any_channel_published: bool) -> PostFacts {
    PostFacts {
        author_id: AUTHOR,
        approvals: approvals.to_vec(),
        any_channel_published,
        publish_immediately: false,
    }
}

fn policy(
    approvals_required: u8,
    author_may_approve: bool,
    reschedule_needs_approval: bool,
) -> Policy {
    Policy {
        approvals_required,
        author_may_approve,
        reschedule_needs_approval,
    }
}

/// A well-formed action of each kind, so that only state, role and facts
/// decide the outcome.
fn sample(kind: ActionKind) -> Action {
    match kind {
        K::Edit => Action::Edit,
        K::Submit => Action::Submit,
        K::Approve => Action::Approve { comment: None },
        K::Reject => Action::Reject {
            comment: "Please shorten the intro.".into(),
        },
        K::Withdraw => Action::Withdraw,
        K::Reschedule => Action::Reschedule,
        K::Cancel => Action::Cancel,
        K::Retry => Action::Retry,
        K::StartPublishing => Action::StartPublishing,
        K::ChannelsSettled => Action::ChannelsSettled {
            published: 1,
            failed: 0,
            needs_attention: 0,
            total: 1,
        },
    }
}

fn run(
    state: PostState,
    action: &Action,
    actor: Actor,
    facts: &PostFacts,
    policy: &Policy,
) -> Result<Transition, WorkflowError> {
    apply(state, action, &actor, facts, policy)
}

fn to(result: Result<Transition, WorkflowError>) -> Result<PostState, WorkflowError> {
    result.map(|t| t.to)
}

// ----- The exhaustive table -------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq)]
enum Want {
    To(PostState),
    Forbidden,
    SystemOnly,
    NotAllowed,
    AlreadyPublished,
}
use Want::To;
const FORB: Want = Want::Forbidden;
const SYS: Want = Want::SystemOnly;
const NA: Want = Want::NotAllowed;
const PUB: Want = Want::AlreadyPublished;

impl Want {
    fn resolve(self, state: PostState, action: ActionKind) -> Result<PostState, WorkflowError> {
        match self {
            To(s) => Ok(s),
            Want::Forbidden => Err(WorkflowError::Forbidden),
            Want::SystemOnly => Err(WorkflowError::SystemOnly),
            Want::NotAllowed => Err(WorkflowError::NotAllowedInState { state, action }),
            Want::AlreadyPublished => Err(WorkflowError::AlreadyPublished),
        }
    }
}

/// Columns, in order.
const WHO: [Option<Role>; 6] = [
    Some(Role::Owner),
    Some(Role::Admin),
    Some(Role::Approver),
    Some(Role::Editor),
    Some(Role::Viewer),
    None, // System
];

/// A typical post in each state, under the default policy (one approval,
/// no self-approval, rescheduling needs re-approval). The acting member
/// is not the author. Posts that got past review carry one approval by
/// another reviewer; Published and PartlyPublished have a channel out.
fn typical_facts(state: PostState) -> PostFacts {
    let approved = matches!(
        state,
        Scheduled | Publishing | Published | PartlyPublished | Failed | NeedsAttention
    );
    let approvals: &[UserId] = if approved { &[OTHER_REVIEWER] } else { &[] };
    facts(approvals, matches!(state, Published | PartlyPublished))
}

/// Every (state, action) pair with the outcome for every role and the
/// delivery system, spelled out rather than computed.
#[rustfmt::skip]
fn table() -> Vec<(PostState, ActionKind, [Want; 6])> {
    vec![
        //                                  Owner                  Admin                  Approver               Editor                 Viewer System
        (Draft, K::Edit,                   [To(Draft),             To(Draft),             To(Draft),             To(Draft),             FORB, FORB]),
        (Draft, K::Submit,                 [To(InReview),          To(InReview),          To(InReview),          To(InReview),          FORB, FORB]),
        (Draft, K::Approve,                [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
        (Draft, K::Reject,                 [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
        (Draft, K::Withdraw,               [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (Draft, K::Reschedule,             [To(Draft),             To(Draft),             To(Draft),             To(Draft),             FORB, FORB]),
        (Draft, K::Cancel,                 [To(Cancelled),         To(Cancelled),         To(Cancelled),         To(Cancelled),         FORB, FORB]),
        (Draft, K::Retry,                  [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (Draft, K::StartPublishing,        [SYS,                   SYS,                   SYS,                   SYS,                   SYS,  NA]),
        (Draft, K::ChannelsSettled,        [SYS,                   SYS,                   SYS,                   SYS,                   SYS,  NA]),

        (InReview, K::Edit,                [To(InReview),          To(InReview),          To(InReview),          To(InReview),          FORB, FORB]),
        (InReview, K::Submit,              [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (InReview, K::Approve,             [To(Scheduled),         To(Scheduled),         To(Scheduled),         FORB,                  FORB, FORB]),
        (InReview, K::Reject,              [To(ChangesRequested),  To(ChangesRequested),  To(ChangesRequested),  FORB,                  FORB, FORB]),
        (InReview, K::Withdraw,            [To(Draft),             To(Draft),             To(Draft),             To(Draft),             FORB, FORB]),
        (InReview, K::Reschedule,          [To(InReview),          To(InReview),          To(InReview),          To(InReview),          FORB, FORB]),
        (InReview, K::Cancel,              [To(Cancelled),         To(Cancelled),         To(Cancelled),         To(Cancelled),         FORB, FORB]),
        (InReview, K::Retry,               [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (InReview, K::StartPublishing,     [SYS,                   SYS,                   SYS,                   SYS,                   SYS,  NA]),
        (InReview, K::ChannelsSettled,     [SYS,                   SYS,                   SYS,                   SYS,                   SYS,  NA]),

        (ChangesRequested, K::Edit,        [To(ChangesRequested),  To(ChangesRequested),  To(ChangesRequested),  To(ChangesRequested),  FORB, FORB]),
        (ChangesRequested, K::Submit,      [To(InReview),          To(InReview),          To(InReview),          To(InReview),          FORB, FORB]),
        (ChangesRequested, K::Approve,     [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
        (ChangesRequested, K::Reject,      [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
        (ChangesRequested, K::Withdraw,    [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (ChangesRequested, K::Reschedule,  [To(ChangesRequested),  To(ChangesRequested),  To(ChangesRequested),  To(ChangesRequested),  FORB, FORB]),
        (ChangesRequested, K::Cancel,      [To(Cancelled),         To(Cancelled),         To(Cancelled),         To(Cancelled),         FORB, FORB]),
        (ChangesRequested, K::Retry,       [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (ChangesRequested, K::StartPublishing, [SYS,               SYS,                   SYS,                   SYS,                   SYS,  NA]),
        (ChangesRequested, K::ChannelsSettled, [SYS,               SYS,                   SYS,                   SYS,                   SYS,  NA]),

        (Scheduled, K::Edit,               [To(InReview),          To(InReview),          To(InReview),          To(InReview),          FORB, FORB]),
        (Scheduled, K::Submit,             [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (Scheduled, K::Approve,            [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
        (Scheduled, K::Reject,             [To(ChangesRequested),  To(ChangesRequested),  To(ChangesRequested),  FORB,                  FORB, FORB]),
        (Scheduled, K::Withdraw,           [To(Draft),             To(Draft),             To(Draft),             To(Draft),             FORB, FORB]),
        (Scheduled, K::Reschedule,         [To(InReview),          To(InReview),          To(InReview),          To(InReview),          FORB, FORB]),
        (Scheduled, K::Cancel,             [To(Cancelled),         To(Cancelled),         To(Cancelled),         To(Cancelled),         FORB, FORB]),
        (Scheduled, K::Retry,              [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (Scheduled, K::StartPublishing,    [SYS,                   SYS,                   SYS,                   SYS,                   SYS,  To(Publishing)]),
        (Scheduled, K::ChannelsSettled,    [SYS,                   SYS,                   SYS,                   SYS,                   SYS,  NA]),

        (Publishing, K::Edit,              [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (Publishing, K::Submit,            [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (Publishing, K::Approve,           [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
        (Publishing, K::Reject,            [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
        (Publishing, K::Withdraw,          [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (Publishing, K::Reschedule,        [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (Publishing, K::Cancel,            [To(Cancelled),         To(Cancelled),         To(Cancelled),         To(Cancelled),         FORB, FORB]),
        (Publishing, K::Retry,             [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (Publishing, K::StartPublishing,   [SYS,                   SYS,                   SYS,                   SYS,                   SYS,  NA]),
        (Publishing, K::ChannelsSettled,   [SYS,                   SYS,                   SYS,                   SYS,                   SYS,  To(Published)]),

        (Published, K::Edit,               [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (Published, K::Submit,             [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (Published, K::Approve,            [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
        (Published, K::Reject,             [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
        (Published, K::Withdraw,           [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (Published, K::Reschedule,         [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (Published, K::Cancel,             [PUB,                   PUB,                   PUB,                   PUB,                   FORB, FORB]),
        (Published, K::Retry,              [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (Published, K::StartPublishing,    [SYS,                   SYS,                   SYS,                   SYS,                   SYS,  NA]),
        (Published, K::ChannelsSettled,    [SYS,                   SYS,                   SYS,                   SYS,                   SYS,  NA]),

        (PartlyPublished, K::Edit,         [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (PartlyPublished, K::Submit,       [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (PartlyPublished, K::Approve,      [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
        (PartlyPublished, K::Reject,       [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
        (PartlyPublished, K::Withdraw,     [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (PartlyPublished, K::Reschedule,   [To(InReview),          To(InReview),          To(InReview),          To(InReview),          FORB, FORB]),
        (PartlyPublished, K::Cancel,       [PUB,                   PUB,                   PUB,                   PUB,                   FORB, FORB]),
        (PartlyPublished, K::Retry,        [To(Scheduled),         To(Scheduled),         To(Scheduled),         To(Scheduled),         FORB, FORB]),
        (PartlyPublished, K::StartPublishing, [SYS,                SYS,                   SYS,                   SYS,                   SYS,  NA]),
        (PartlyPublished, K::ChannelsSettled, [SYS,                SYS,                   SYS,                   SYS,                   SYS,  NA]),

        (Failed, K::Edit,                  [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (Failed, K::Submit,                [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (Failed, K::Approve,               [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
        (Failed, K::Reject,                [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
        (Failed, K::Withdraw,              [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (Failed, K::Reschedule,            [To(InReview),          To(InReview),          To(InReview),          To(InReview),          FORB, FORB]),
        (Failed, K::Cancel,                [To(Cancelled),         To(Cancelled),         To(Cancelled),         To(Cancelled),         FORB, FORB]),
        (Failed, K::Retry,                 [To(Scheduled),         To(Scheduled),         To(Scheduled),         To(Scheduled),         FORB, FORB]),
        (Failed, K::StartPublishing,       [SYS,                   SYS,                   SYS,                   SYS,                   SYS,  NA]),
        (Failed, K::ChannelsSettled,       [SYS,                   SYS,                   SYS,                   SYS,                   SYS,  NA]),

        (NeedsAttention, K::Edit,          [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (NeedsAttention, K::Submit,        [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (NeedsAttention, K::Approve,       [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
        (NeedsAttention, K::Reject,        [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
        (NeedsAttention, K::Withdraw,      [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (NeedsAttention, K::Reschedule,    [To(InReview),          To(InReview),          To(InReview),          To(InReview),          FORB, FORB]),
        (NeedsAttention, K::Cancel,        [To(Cancelled),         To(Cancelled),         To(Cancelled),         To(Cancelled),         FORB, FORB]),
        (NeedsAttention, K::Retry,         [To(Scheduled),         To(Scheduled),         To(Scheduled),         To(Scheduled),         FORB, FORB]),
        (NeedsAttention, K::StartPublishing, [SYS,                 SYS,                   SYS,                   SYS,                   SYS,  NA]),
        (NeedsAttention, K::ChannelsSettled, [SYS,                 SYS,                   SYS,                   SYS,                   SYS,  NA]),

        (Cancelled, K::Edit,               [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (Cancelled, K::Submit,             [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (Cancelled, K::Approve,            [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
        (Cancelled, K::Reject,             [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
        (Cancelled, K::Withdraw,           [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (Cancelled, K::Reschedule,         [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (Cancelled, K::Cancel,             [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (Cancelled, K::Retry,              [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
        (Cancelled, K::StartPublishing,    [SYS,                   SYS,                   SYS,                   SYS,                   SYS,  NA]),
        (Cancelled, K::ChannelsSettled,    [SYS,                   SYS,                   SYS,                   SYS,                   SYS,  NA]),
    ]
}

#[test]
fn the_table_covers_every_state_and_action_exactly_once() {
    let rows = table();
    assert_eq!(rows.len(), PostState::ALL.len() * ActionKind::ALL.len());
    for state in PostState::ALL {
        for kind in ActionKind::ALL {
            let n = rows
                .iter()
                .filter(|(s, k, _)| *s == state && *k == kind)
                .count();
            assert_eq!(n, 1, "{state} / {kind} appears {n} times");
        }
    }
}

#[test]
fn every_transition_by_every_role_and_the_system_matches_the_table() {
    let policy = Policy::default();
    for (state, kind, wants) in table() {
        let facts = typical_facts(state);
        for (who, want) in WHO.into_iter().zip(wants) {
            let actor = match who {
                Some(role) => member(ACTOR, role),
                None => Actor::System,
            };
            let expected = want.resolve(state, kind);
            let got = to(run(state, &sample(kind), actor, &facts, &policy));
            assert_eq!(got, expected, "{kind} on {state} by {actor:?}");

            // The buttons agree with the outcome.
            let shown = allowed_actions(state, &actor, &facts, &policy).contains(&kind);
            assert_eq!(
                shown,
                expected.is_ok(),
                "button {kind} on {state} for {actor:?}"
            );
        }
    }
}

// ----- Roles ----------------------------------------------------------

#[test]
fn a_viewer_can_do_nothing_to_any_post() {
    let viewer = member(ACTOR, Role::Viewer);
    for p in [
        policy(0, true, false),
        Policy::default(),
        policy(2, false, true),
    ] {
        for state in PostState::ALL {
            for f in [
                facts(&[], false),
                facts(&[OTHER_REVIEWER], false),
                facts(&[], true),
            ] {
                assert!(allowed_actions(state, &viewer, &f, &p).is_empty());
                for kind in ActionKind::ALL {
                    let want = if kind.is_system_only() {
                        WorkflowError::SystemOnly
                    } else {
                        WorkflowError::Forbidden
                    };
                    assert_eq!(to(run(state, &sample(kind), viewer, &f, &p)), Err(want));
                }
            }
        }
    }
}

#[test]
fn a_viewer_who_wrote_the_post_still_can_do_nothing() {
    // A member demoted to viewer keeps authorship but loses the right to act.
    let viewer_author = member(AUTHOR, Role::Viewer);
    let p = policy(1, true, true);
    assert!(allowed_actions(InReview, &viewer_author, &facts(&[], false), &p).is_empty());
}

#[test]
fn an_editor_writes_but_cannot_review() {
    let editor = member(ACTOR, Role::Editor);
    let f = facts(&[], false);
    let p = Policy::default();
    assert_eq!(
        allowed_actions(InReview, &editor, &f, &p),
        vec![K::Edit, K::Withdraw, K::Reschedule, K::Cancel]
    );
    assert_eq!(
        to(run(InReview, &sample(K::Approve), editor, &f, &p)),
        Err(WorkflowError::Forbidden)
    );
}

#[test]
fn reviewers_see_approve_and_reject_on_someone_elses_post_in_review() {
    let f = facts(&[], false);
    for role in [Role::Owner, Role::Admin, Role::Approver] {
        let shown = allowed_actions(InReview, &member(ACTOR, role), &f, &Policy::default());
        assert_eq!(
            shown,
            vec![
                K::Edit,
                K::Approve,
                K::Reject,
                K::Withdraw,
                K::Reschedule,
                K::Cancel
            ],
            "{role:?}"
        );
    }
}

#[test]
fn the_system_cannot_act_for_a_person_and_people_cannot_drive_delivery() {
    let p = Policy::default();
    for kind in [
        K::Edit,
        K::Submit,
        K::Approve,
        K::Reject,
        K::Withdraw,
        K::Reschedule,
        K::Cancel,
        K::Retry,
    ] {
        assert_eq!(
            to(run(
                InReview,
                &sample(kind),
                Actor::System,
                &facts(&[], false),
                &p
            )),
            Err(WorkflowError::Forbidden),
            "{kind}"
        );
    }
    for role in Role::ALL {
        assert_eq!(
            to(run(
                Scheduled,
                &Action::StartPublishing,
                member(ACTOR, role),
                &facts(&[UserId(3)], false),
                &p
            )),
            Err(WorkflowError::SystemOnly)
        );
        assert_eq!(
            to(run(
                Publishing,
                &sample(K::ChannelsSettled),
                member(ACTOR, role),
                &facts(&[UserId(3)], false),
                &p
            )),
            Err(WorkflowError::SystemOnly)
        );
    }
    assert_eq!(
        allowed_actions(Scheduled, &Actor::System, &facts(&[UserId(3)], false), &p),
        vec![K::StartPublishing]
    );
}

// ----- Approvals ------------------------------------------------------

#[test]
fn an_author_cannot_approve_their_own_post_by_default() {
    let author = member(AUTHOR, Role::Approver);
    let f = facts(&[], false);
    let p = Policy::default();
    assert_eq!(
        run(InReview, &Action::Approve { comment: None }, author, &f, &p),
        Err(WorkflowError::SelfApproval)
    );
    assert!(!allowed_actions(InReview, &author, &f, &p).contains(&K::Approve));
}

#[test]
fn an_author_cannot_request_changes_on_their_own_post_by_default_either() {
    // Reviewing is one role; the author withdraws or edits instead.
    let author = member(AUTHOR, Role::Owner);
    let reject = Action::Reject {
        comment: "hmm".into(),
    };
    assert_eq!(
        run(
            InReview,
            &reject,
            author,
            &facts(&[], false),
            &Policy::default()
        ),
        Err(WorkflowError::SelfApproval)
    );
}

#[test]
fn an_author_may_approve_their_own_post_when_the_policy_allows_it() {
    let author = member(AUTHOR, Role::Approver);
    let p = policy(1, true, true);
    let t = run(
        InReview,
        &Action::Approve {
            comment: Some("ok".into()),
        },
        author,
        &facts(&[], false),
        &p,
    );
    assert_eq!(
        t,
        Ok(Transition {
            to: Scheduled,
            approvals: ApprovalChange::Add(AUTHOR),
            notify: vec![Notice::AuthorApproved],
        })
    );
}

#[test]
fn an_authors_old_approval_stops_counting_when_self_approval_is_switched_off() {
    // The author approved while allowed; the policy changed; a second
    // reviewer's approval alone must not be taken for two.
    let p = policy(2, false, true);
    let t = run(
        InReview,
        &Action::Approve { comment: None },
        member(ACTOR, Role::Approver),
        &facts(&[AUTHOR], false),
        &p,
    );
    assert_eq!(to(t), Ok(InReview));
}

#[test]
fn a_post_needing_two_approvals_is_scheduled_only_by_the_second() {
    let p = policy(2, false, true);
    let first = run(
        InReview,
        &Action::Approve { comment: None },
        member(ACTOR, Role::Approver),
        &facts(&[], false),
        &p,
    );
    assert_eq!(
        first,
        Ok(Transition {
            to: InReview,
            approvals: ApprovalChange::Add(ACTOR),
            notify: vec![],
        })
    );
    let second = run(
        InReview,
        &Action::Approve { comment: None },
        member(OTHER_REVIEWER, Role::Admin),
        &facts(&[ACTOR], false),
        &p,
    );
    assert_eq!(
        second,
        Ok(Transition {
            to: Scheduled,
            approvals: ApprovalChange::Add(OTHER_REVIEWER),
            notify: vec![Notice::AuthorApproved],
        })
    );
}

#[test]
fn the_same_reviewer_cannot_approve_twice() {
    let p = policy(2, false, true);
    let again = run(
        InReview,
        &Action::Approve { comment: None },
        member(ACTOR, Role::Approver),
        &facts(&[ACTOR], false),
        &p,
    );
    assert_eq!(again, Err(WorkflowError::AlreadyApproved));
}

#[test]
fn duplicate_approvals_in_storage_count_once() {
    let p = policy(3, false, true);
    let t = run(
        InReview,
        &Action::Approve { comment: None },
        member(ACTOR, Role::Approver),
        &facts(&[OTHER_REVIEWER, OTHER_REVIEWER], false),
        &p,
    );
    assert_eq!(to(t), Ok(InReview));
}

#[test]
fn a_post_with_changes_requested_must_be_resubmitted_before_approval() {
    let reviewer = member(ACTOR, Role::Approver);
    let f = facts(&[], false);
    let p = Policy::default();
    assert_eq!(
        to(run(
            ChangesRequested,
            &Action::Approve { comment: None },
            reviewer,
            &f,
            &p
        )),
        Err(WorkflowError::NotAllowedInState {
            state: ChangesRequested,
            action: K::Approve
        })
    );
    let resubmitted = run(
        ChangesRequested,
        &Action::Submit,
        member(AUTHOR, Role::Editor),
        &f,
        &p,
    );
    assert_eq!(
        resubmitted,
        Ok(Transition {
            to: InReview,
            approvals: ApprovalChange::Clear,
            notify: vec![Notice::ReviewersNeeded],
        })
    );
}

#[test]
fn with_no_approvals_required_submitting_schedules_at_once() {
    let p = policy(0, false, true);
    let mut f = facts(&[], false);
    let t = run(Draft, &Action::Submit, member(AUTHOR, Role::Editor), &f, &p);
    assert_eq!(
        t,
        Ok(Transition {
            to: Scheduled,
            approvals: ApprovalChange::Clear,
            notify: vec![],
        })
    );
    // "Publish now" is still Scheduled, due now: the scheduler takes it.
    f.publish_immediately = true;
    assert_eq!(
        to(run(
            Draft,
            &Action::Submit,
            member(AUTHOR, Role::Editor),
            &f,
            &p
        )),
        Ok(Scheduled)
    );
}

// ----- Rejection ------------------------------------------------------

#[test]
fn a_rejection_requires_a_comment() {
    let reviewer = member(ACTOR, Role::Approver);
    let f = facts(&[], false);
    for comment in ["", "   ", "\n\t"] {
        let reject = Action::Reject {
            comment: comment.into(),
        };
        assert_eq!(
            run(InReview, &reject, reviewer, &f, &Policy::default()),
            Err(WorkflowError::CommentRequired)
        );
    }
}

#[test]
fn a_rejection_requests_changes_voids_approvals_and_tells_the_author() {
    let p = policy(2, false, true);
    let reject = Action::Reject {
        comment: "Wrong date in the second line.".into(),
    };
    let t = run(
        InReview,
        &reject,
        member(ACTOR, Role::Approver),
        &facts(&[OTHER_REVIEWER], false),
        &p,
    );
    assert_eq!(
        t,
        Ok(Transition {
            to: ChangesRequested,
            approvals: ApprovalChange::Clear,
            notify: vec![Notice::AuthorChangesRequested],
        })
    );
}

#[test]
fn a_reviewer_can_still_stop_an_approved_post_before_it_goes_out() {
    let reject = Action::Reject {
        comment: "Embargo moved.".into(),
    };
    let t = run(
        Scheduled,
        &reject,
        member(ACTOR, Role::Admin),
        &facts(&[OTHER_REVIEWER], false),
        &Policy::default(),
    );
    assert_eq!(to(t), Ok(ChangesRequested));
}

// ----- Editing --------------------------------------------------------

#[test]
fn editing_after_approval_voids_the_approvals_and_returns_the_post_to_review() {
    let t = run(
        Scheduled,
        &Action::Edit,
        member(AUTHOR, Role::Editor),
        &facts(&[OTHER_REVIEWER], false),
        &Policy::default(),
    );
    assert_eq!(
        t,
        Ok(Transition {
            to: InReview,
            approvals: ApprovalChange::Clear,
            notify: vec![Notice::ReviewersNeeded],
        })
    );
}

#[test]
fn editing_in_review_voids_earlier_approvals_and_asks_reviewers_to_look_again() {
    let p = policy(2, false, true);
    let t = run(
        InReview,
        &Action::Edit,
        member(AUTHOR, Role::Editor),
        &facts(&[OTHER_REVIEWER], false),
        &p,
    );
    assert_eq!(
        t,
        Ok(Transition {
            to: InReview,
            approvals: ApprovalChange::Clear,
            notify: vec![Notice::ReviewersNeeded],
        })
    );
    // Nobody had approved: nobody to tell again.
    let quiet = run(
        InReview,
        &Action::Edit,
        member(AUTHOR, Role::Editor),
        &facts(&[], false),
        &p,
    );
    assert_eq!(quiet.map(|t| t.notify), Ok(vec![]));
}

#[test]
fn editing_with_changes_requested_keeps_the_request_visible_until_resubmitted() {
    let t = run(
        ChangesRequested,
        &Action::Edit,
        member(AUTHOR, Role::Editor),
        &facts(&[], false),
        &Policy::default(),
    );
    assert_eq!(to(t), Ok(ChangesRequested));
}

#[test]
fn editing_a_scheduled_post_keeps_it_scheduled_when_no_approval_is_required() {
    let t = run(
        Scheduled,
        &Action::Edit,
        member(AUTHOR, Role::Editor),
        &facts(&[], false),
        &policy(0, false, true),
    );
    assert_eq!(
        t,
        Ok(Transition {
            to: Scheduled,
            approvals: ApprovalChange::Clear,
            notify: vec![],
        })
    );
}

#[test]
fn editing_is_refused_once_the_delivery_system_has_the_post() {
    let editor = member(AUTHOR, Role::Editor);
    for state in [
        Publishing,
        Published,
        PartlyPublished,
        Failed,
        NeedsAttention,
        Cancelled,
    ] {
        assert!(!state.is_editable());
        assert_eq!(
            to(run(
                state,
                &Action::Edit,
                editor,
                &facts(&[], false),
                &Policy::default()
            )),
            Err(WorkflowError::NotAllowedInState {
                state,
                action: K::Edit
            })
        );
    }
}

#[test]
fn editing_and_withdrawing_are_refused_after_a_channel_published() {
    // A partly published post retried: Scheduled again, but half out.
    let f = facts(&[OTHER_REVIEWER], true);
    let editor = member(AUTHOR, Role::Editor);
    for action in [Action::Edit, Action::Withdraw] {
        assert_eq!(
            run(Scheduled, &action, editor, &f, &Policy::default()),
            Err(WorkflowError::AlreadyPublished)
        );
    }
}

// ----- Rescheduling ---------------------------------------------------

#[test]
fn rescheduling_an_approved_post_sends_it_back_to_review_when_the_policy_requires_it() {
    let t = run(
        Scheduled,
        &Action::Reschedule,
        member(AUTHOR, Role::Editor),
        &facts(&[OTHER_REVIEWER], false),
        &policy(1, false, true),
    );
    assert_eq!(
        t,
        Ok(Transition {
            to: InReview,
            approvals: ApprovalChange::Clear,
            notify: vec![Notice::ReviewersNeeded],
        })
    );
}

#[test]
fn rescheduling_keeps_the_post_scheduled_when_the_policy_does_not_require_re_approval() {
    let t = run(
        Scheduled,
        &Action::Reschedule,
        member(AUTHOR, Role::Editor),
        &facts(&[OTHER_REVIEWER], false),
        &policy(1, false, false),
    );
    assert_eq!(
        t,
        Ok(Transition {
            to: Scheduled,
            approvals: ApprovalChange::Keep,
            notify: vec![],
        })
    );
}

#[test]
fn rescheduling_never_needs_re_approval_when_no_approvals_are_required() {
    let t = run(
        Scheduled,
        &Action::Reschedule,
        member(AUTHOR, Role::Editor),
        &facts(&[], false),
        &policy(0, false, true),
    );
    assert_eq!(
        t,
        Ok(Transition {
            to: Scheduled,
            approvals: ApprovalChange::Keep,
            notify: vec![],
        })
    );
}

#[test]
fn rescheduling_under_a_tightened_policy_asks_for_the_missing_approvals() {
    // Approved once under a one-approval policy, now two are required.
    let t = run(
        Scheduled,
        &Action::Reschedule,
        member(AUTHOR, Role::Editor),
        &facts(&[OTHER_REVIEWER], false),
        &policy(2, false, false),
    );
    assert_eq!(
        t,
        Ok(Transition {
            to: InReview,
            approvals: ApprovalChange::Keep,
            notify: vec![Notice::ReviewersNeeded],
        })
    );
}

#[test]
fn rescheduling_in_review_voids_approvals_only_when_the_policy_requires_it() {
    let f = facts(&[OTHER_REVIEWER], false);
    let editor = member(AUTHOR, Role::Editor);
    let strict = run(
        InReview,
        &Action::Reschedule,
        editor,
        &f,
        &policy(2, false, true),
    );
    assert_eq!(
        strict,
        Ok(Transition {
            to: InReview,
            approvals: ApprovalChange::Clear,
            notify: vec![Notice::ReviewersNeeded]
        })
    );
    let lax = run(
        InReview,
        &Action::Reschedule,
        editor,
        &f,
        &policy(2, false, false),
    );
    assert_eq!(
        lax,
        Ok(Transition {
            to: InReview,
            approvals: ApprovalChange::Keep,
            notify: vec![]
        })
    );
}

// ----- Cancelling -----------------------------------------------------

#[test]
fn cancelling_is_refused_once_a_channel_has_published() {
    let editor = member(AUTHOR, Role::Editor);
    let p = Policy::default();
    for state in [
        Scheduled,
        Publishing,
        NeedsAttention,
        Published,
        PartlyPublished,
    ] {
        assert_eq!(
            run(
                state,
                &Action::Cancel,
                editor,
                &facts(&[OTHER_REVIEWER], true),
                &p
            ),
            Err(WorkflowError::AlreadyPublished),
            "{state}"
        );
    }
    // The state alone is proof enough, even if the facts lag behind.
    for state in [Published, PartlyPublished] {
        assert_eq!(
            run(state, &Action::Cancel, editor, &facts(&[], false), &p),
            Err(WorkflowError::AlreadyPublished)
        );
    }
}

#[test]
fn cancelling_is_allowed_until_something_went_out() {
    let editor = member(AUTHOR, Role::Editor);
    for state in [
        Draft,
        InReview,
        ChangesRequested,
        Scheduled,
        Publishing,
        Failed,
        NeedsAttention,
    ] {
        let t = run(
            state,
            &Action::Cancel,
            editor,
            &facts(&[], false),
            &Policy::default(),
        );
        assert_eq!(
            t,
            Ok(Transition {
                to: Cancelled,
                approvals: ApprovalChange::Keep,
                notify: vec![]
            }),
            "{state}"
        );
    }
}

// ----- Delivery -------------------------------------------------------

#[test]
fn channel_outcomes_settle_by_a_fixed_precedence() {
    // (published, failed, needs_attention, total) -> state, notice
    let cases = [
        ((3, 0, 0, 3), Published, Some(Notice::AuthorPublished)),
        ((2, 1, 0, 3), PartlyPublished, Some(Notice::AuthorFailed)),
        ((1, 1, 1, 3), PartlyPublished, Some(Notice::AuthorFailed)),
        ((0, 3, 0, 3), Failed, Some(Notice::AuthorFailed)),
        ((0, 1, 2, 3), Failed, Some(Notice::AuthorFailed)),
        ((0, 0, 3, 3), NeedsAttention, Some(Notice::AttentionNeeded)),
        ((2, 0, 1, 3), NeedsAttention, Some(Notice::AttentionNeeded)),
        ((1, 1, 0, 3), Publishing, None),
        ((0, 0, 0, 3), Publishing, None),
    ];
    for ((published, failed, needs_attention, total), state, notice) in cases {
        let action = Action::ChannelsSettled {
            published,
            failed,
            needs_attention,
            total,
        };
        let t = run(
            Publishing,
            &action,
            Actor::System,
            &facts(&[OTHER_REVIEWER], false),
            &Policy::default(),
        );
        assert_eq!(
            t,
            Ok(Transition {
                to: state,
                approvals: ApprovalChange::Keep,
                notify: notice.into_iter().collect()
            }),
            "{action:?}"
        );
    }
}

#[test]
fn channel_counts_that_cannot_describe_a_post_are_refused() {
    for (published, failed, needs_attention, total) in
        [(0, 0, 0, 0), (2, 2, 0, 3), (u32::MAX, 1, 0, u32::MAX)]
    {
        let action = Action::ChannelsSettled {
            published,
            failed,
            needs_attention,
            total,
        };
        assert_eq!(
            run(
                Publishing,
                &action,
                Actor::System,
                &facts(&[], false),
                &Policy::default()
            ),
            Err(WorkflowError::InvalidChannelCounts)
        );
    }
}

#[test]
fn a_failed_post_can_be_retried_without_new_approval() {
    for state in [Failed, NeedsAttention, PartlyPublished] {
        let t = run(
            state,
            &Action::Retry,
            member(AUTHOR, Role::Editor),
            &facts(&[OTHER_REVIEWER], state == PartlyPublished),
            &Policy::default(),
        );
        assert_eq!(
            t,
            Ok(Transition {
                to: Scheduled,
                approvals: ApprovalChange::Keep,
                notify: vec![]
            }),
            "{state}"
        );
    }
}

#[test]
fn retrying_under_a_tightened_policy_asks_for_the_missing_approvals() {
    // Approved once under a one-approval policy, now two are required:
    // the retry waits for the second reviewer instead of going out.
    let t = run(
        Failed,
        &Action::Retry,
        member(AUTHOR, Role::Editor),
        &facts(&[OTHER_REVIEWER], false),
        &policy(2, false, true),
    );
    assert_eq!(
        t,
        Ok(Transition {
            to: InReview,
            approvals: ApprovalChange::Keep,
            notify: vec![Notice::ReviewersNeeded],
        })
    );
}

#[test]
fn published_and_cancelled_posts_accept_nothing_from_anyone() {
    let actors: Vec<Actor> = Role::ALL
        .into_iter()
        .flat_map(|role| [member(AUTHOR, role), member(ACTOR, role)])
        .chain([Actor::System])
        .collect();
    for state in PostState::ALL.into_iter().filter(|s| s.is_terminal()) {
        for p in [policy(0, true, false), Policy::default()] {
            for f in [facts(&[], false), facts(&[OTHER_REVIEWER], true)] {
                for actor in &actors {
                    assert!(allowed_actions(state, actor, &f, &p).is_empty());
                    for kind in ActionKind::ALL {
                        assert!(
                            apply(state, &sample(kind), actor, &f, &p).is_err(),
                            "{kind} on {state}"
                        );
                    }
                }
            }
        }
    }
}

// ----- Names and wire format ------------------------------------------

#[test]
fn states_round_trip_through_their_names() {
    for state in PostState::ALL {
        assert_eq!(PostState::parse(state.as_str()), Some(state));
        assert_eq!(
            serde_json::to_value(state).ok(),
            Some(serde_json::json!(state.as_str()))
        );
    }
    assert_eq!(PostState::parse(" In_Review "), Some(InReview));
    assert_eq!(PostState::parse("approved"), None);
    assert_eq!(
        PostState::ALL
            .into_iter()
            .filter(|s| s.is_terminal())
            .collect::<Vec<_>>(),
        vec![Published, Cancelled]
    );
}

#[test]
fn actions_travel_as_snake_case_kinds() {
    for kind in ActionKind::ALL {
        let json = serde_json::to_value(sample(kind)).expect("serializes");
        assert_eq!(json["kind"], serde_json::json!(kind.as_str()));
        let back: Action = serde_json::from_value(json).expect("deserializes");
        assert_eq!(back.kind(), kind);
        assert_eq!(
            serde_json::to_value(kind).ok(),
            Some(serde_json::json!(kind.as_str()))
        );
    }
    let reject: Action =
        serde_json::from_str(r#"{"kind":"reject","comment":"too long"}"#).expect("parses");
    assert_eq!(
        reject,
        Action::Reject {
            comment: "too long".into()
        }
    );
}

#[test]
fn error_codes_are_stable_and_match_the_serialized_tag() {
    let all = [
        (WorkflowError::Forbidden, "forbidden"),
        (
            WorkflowError::NotAllowedInState {
                state: Draft,
                action: K::Approve,
            },
            "not_allowed_in_state",
        ),
        (WorkflowError::SelfApproval, "self_approval"),
        (WorkflowError::AlreadyApproved, "already_approved"),
        (WorkflowError::CommentRequired, "comment_required"),
        (WorkflowError::AlreadyPublished, "already_published"),
        (WorkflowError::SystemOnly, "system_only"),
        (
            WorkflowError::InvalidChannelCounts,
            "invalid_channel_counts",
        ),
    ];
    for (err, code) in all {
        assert_eq!(err.code(), code);
        let json = serde_json::to_value(err).expect("serializes");
        assert_eq!(json["code"], serde_json::json!(code));
        assert_eq!(
            serde_json::from_value::<WorkflowError>(json).ok(),
            Some(err)
        );
    }
    let json = serde_json::to_value(WorkflowError::NotAllowedInState {
        state: ChangesRequested,
        action: K::Approve,
    })
    .expect("serializes");
    assert_eq!(
        json,
        serde_json::json!({"code": "not_allowed_in_state", "state": "changes_requested", "action": "approve"})
    );
}

#[test]
fn the_default_policy_wants_one_approval_by_someone_else_and_re_approval_on_reschedule() {
    let d = Policy::default();
    assert_eq!(d, policy(1, false, true));
    assert_eq!(serde_json::from_str::<Policy>("{}").ok(), Some(d));
    assert_eq!(
        serde_json::from_str::<Policy>(r#"{"approvals_required":0}"#).ok(),
        Some(policy(0, false, true))
    );
}

// ----- Random walks ---------------------------------------------------

/// The state diagram: every state an action can lead to from a given
/// state, whoever acts and whatever the facts. A random walk must never
/// step outside it.
fn diagram(from: PostState, kind: ActionKind) -> &'static [PostState] {
    match (from, kind) {
        (Draft, K::Edit | K::Reschedule) => &[Draft],
        (ChangesRequested, K::Edit | K::Reschedule) => &[ChangesRequested],
        (InReview, K::Edit | K::Reschedule) => &[InReview],
        (Draft | ChangesRequested, K::Submit) => &[InReview, Scheduled],
        (InReview, K::Approve) => &[InReview, Scheduled],
        (InReview | Scheduled, K::Reject) => &[ChangesRequested],
        (InReview | Scheduled, K::Withdraw) => &[Draft],
        (Scheduled, K::Edit) => &[Scheduled, InReview],
        (Scheduled | PartlyPublished | Failed | NeedsAttention, K::Reschedule) => {
            &[Scheduled, InReview]
        }
        (PartlyPublished | Failed | NeedsAttention, K::Retry) => &[Scheduled, InReview],
        (
            Draft | InReview | ChangesRequested | Scheduled | Publishing | Failed | NeedsAttention,
            K::Cancel,
        ) => &[Cancelled],
        (Scheduled, K::StartPublishing) => &[Publishing],
        (Publishing, K::ChannelsSettled) => &[
            Publishing,
            Published,
            PartlyPublished,
            Failed,
            NeedsAttention,
        ],
        _ => &[],
    }
}

/// States only the delivery system can put a post in.
fn delivery_state(state: PostState) -> bool {
    matches!(
        state,
        Publishing | Published | PartlyPublished | Failed | NeedsAttention
    )
}

fn system_action() -> impl Strategy<Value = Action> {
    let settled = prop_oneof![
        // Every channel settled.
        3 => (0u32..3, 0u32..3, 0u32..3)
            .prop_filter("a post has channels", |(p, f, n)| p + f + n > 0)
            .prop_map(|(p, f, n)| (p, f, n, p + f + n)),
        // Still in flight.
        1 => (0u32..2, 0u32..2, 0u32..2).prop_map(|(p, f, n)| (p, f, n, p + f + n + 1)),
        // Anything, including nonsense.
        1 => (0u32..3, 0u32..3, 0u32..3, 0u32..4),
    ]
    .prop_map(
        |(published, failed, needs_attention, total)| Action::ChannelsSettled {
            published,
            failed,
            needs_attention,
            total,
        },
    );
    prop_oneof![Just(Action::StartPublishing), settled]
}

fn member_action() -> impl Strategy<Value = Action> {
    let reject = prop_oneof![
        Just(String::new()),
        Just(" ".to_string()),
        Just("shorten it".to_string()),
    ]
    .prop_map(|comment| Action::Reject { comment });
    let approve = prop::option::of(Just("looks good".to_string()))
        .prop_map(|comment| Action::Approve { comment });
    // Moves forward weigh more than moves back, and Cancel (which ends
    // a walk) least, so that walks get through review often.
    prop_oneof![
        2 => Just(Action::Edit),
        3 => Just(Action::Submit),
        4 => approve,
        2 => reject,
        1 => Just(Action::Withdraw),
        2 => Just(Action::Reschedule),
        1 => Just(Action::Cancel),
        3 => Just(Action::Retry),
    ]
}

/// One step: an actor index (0..=3 are users 1..=4, 4 is the System) and
/// an action. Mostly the kind of action that actor could take, so walks
/// get far; sometimes anything by anyone, so refusals are exercised too.
fn step() -> impl Strategy<Value = (usize, Action)> {
    prop_oneof![
        4 => (0usize..4, member_action()),
        2 => (Just(4usize), system_action()),
        1 => (0usize..5, prop_oneof![member_action(), system_action()]),
    ]
}

/// A policy, roles for users 1..=4 (user 1 wrote the post), and steps.
fn walk_strategy() -> impl Strategy<Value = (Policy, [Role; 4], Vec<(usize, Action)>)> {
    (
        (0u8..=3, any::<bool>(), any::<bool>()).prop_map(|(n, a, r)| policy(n, a, r)),
        prop::array::uniform4(prop::sample::select(Role::ALL.to_vec())),
        prop::collection::vec(step(), 1..60),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_walks_only_follow_the_diagram_and_never_schedule_an_under_approved_post(
        (policy, roles, steps) in walk_strategy()
    ) {
        // The post as the server would store it, changed only by what
        // `apply` returns.
        let mut state = Draft;
        let mut approvals: Vec<UserId> = Vec::new();
        let mut any_published = false;

        for (who, action) in steps {
            let actor = match roles.get(who) {
                Some(&role) => member(UserId(who as i64 + 1), role),
                None => Actor::System,
            };
            let kind = action.kind();
            let f = PostFacts {
                author_id: AUTHOR,
                approvals: approvals.clone(),
                any_channel_published: any_published,
                publish_immediately: false,
            };
            let shown = allowed_actions(state, &actor, &f, &policy).contains(&kind);
            let result = apply(state, &action, &actor, &f, &policy);

            if state.is_terminal() {
                prop_assert!(result.is_err(), "{kind} succeeded from {state}");
            }

            let t = match result {
                Err(e) => {
                    // A shown button fails only on its payload.
                    prop_assert!(
                        !shown || matches!(e, WorkflowError::CommentRequired | WorkflowError::InvalidChannelCounts),
                        "{kind} shown on {state} but refused with {e}"
                    );
                    continue;
                }
                Ok(t) => t,
            };

            prop_assert!(shown, "{kind} succeeded on {state} but was not shown");
            prop_assert!(diagram(state, kind).contains(&t.to), "{state} --{kind}--> {} is not in the diagram", t.to);
            // People never put a post into a delivery state; the system
            // never puts it anywhere else.
            prop_assert_eq!(delivery_state(t.to), actor == Actor::System, "{:?} moved {} to {}", actor, state, t.to);
            if kind == K::Edit || t.to == Cancelled {
                prop_assert!(!any_published, "{kind} after a channel published");
            }

            match t.approvals {
                ApprovalChange::Keep => {}
                ApprovalChange::Clear => approvals.clear(),
                ApprovalChange::Add(user) => {
                    prop_assert!(!approvals.contains(&user), "approved twice by {user}");
                    prop_assert!(policy.author_may_approve || user != AUTHOR, "self-approval slipped through");
                    prop_assert_eq!(Some(user), match actor { Actor::Member { user_id, .. } => Some(user_id), Actor::System => None });
                    approvals.push(user);
                }
            }
            if let Action::ChannelsSettled { published, .. } = action {
                any_published |= published > 0;
            }
            state = t.to;

            if state == Scheduled {
                prop_assert!(
                    approvals.len() >= usize::from(policy.approvals_required),
                    "scheduled with {} of {} approvals", approvals.len(), policy.approvals_required
                );
            }
            if matches!(state, Draft | ChangesRequested) {
                prop_assert!(approvals.is_empty(), "{state} carries approvals");
            }
            if matches!(state, Published | PartlyPublished) {
                prop_assert!(any_published);
            }
        }
    }
}
