//! SyncKairos session state and its state machine, as pure functions of the state and a
//! clock reading (`now`, unix milliseconds) so every transition is tested without time.
//!
//! The arithmetic follows the real service's `SyncEngine`: a participant's `total_time_ms`
//! is its *remaining* budget and shrinks as time is charged (`time_remaining_ms` mirrors it);
//! rotation follows the order of the `participants` array, which is the order of creation;
//! a participant whose budget reaches 0 is marked `has_expired` but stays in the rotation.
//! Versions are not touched here: bumping `version` is the store's job when it writes.
//! Timestamps serialize as JavaScript's `Date.toISOString()` would (`2024-01-01T00:00:00.000Z`).

use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};
use uuid::Uuid;

/// Unix time in milliseconds.
pub type Millis = u64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncMode {
    PerParticipant,
    PerCycle,
    PerGroup,
    Global,
    CountUp,
}

impl SyncMode {
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "per_participant" => Self::PerParticipant,
            "per_cycle" => Self::PerCycle,
            "per_group" => Self::PerGroup,
            "global" => Self::Global,
            "count_up" => Self::CountUp,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pending,
    Running,
    Paused,
    /// Part of the API's vocabulary; no transition of the real service produces it.
    #[allow(dead_code)]
    Expired,
    Completed,
    /// Part of the API's vocabulary; no transition of the real service produces it.
    #[allow(dead_code)]
    Cancelled,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Pending => "pending",
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Expired => "expired",
            Status::Completed => "completed",
            Status::Cancelled => "cancelled",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Participant {
    #[serde(serialize_with = "uuid_text")]
    pub participant_id: Uuid,
    pub participant_index: u32,
    pub total_time_ms: u64,
    pub time_used_ms: u64,
    pub time_remaining_ms: u64,
    pub cycle_count: u64,
    pub is_active: bool,
    pub has_expired: bool,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "opt_uuid_text")]
    pub group_id: Option<Uuid>,
}

/// A validated `POST /v1/sessions` body (see `validate.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub session_id: Uuid,
    pub sync_mode: SyncMode,
    pub participants: Vec<NewParticipant>,
    pub total_time_ms: u64,
    pub time_per_cycle_ms: Option<u64>,
    pub increment_ms: Option<u64>,
    pub max_time_ms: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewParticipant {
    pub participant_id: Uuid,
    pub participant_index: u32,
    pub total_time_ms: u64,
    pub group_id: Option<Uuid>,
}

/// The state every session route returns under `data`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncState {
    #[serde(serialize_with = "uuid_text")]
    pub session_id: Uuid,
    pub sync_mode: SyncMode,
    pub status: Status,
    pub version: u64,
    pub participants: Vec<Participant>,
    #[serde(serialize_with = "opt_uuid_text")]
    pub active_participant_id: Option<Uuid>,
    pub total_time_ms: u64,
    pub time_per_cycle_ms: Option<u64>,
    #[serde(serialize_with = "opt_iso_time")]
    pub cycle_started_at: Option<Millis>,
    #[serde(serialize_with = "opt_iso_time")]
    pub session_started_at: Option<Millis>,
    #[serde(serialize_with = "opt_iso_time")]
    pub session_completed_at: Option<Millis>,
    pub increment_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_time_ms: Option<u64>,
    #[serde(serialize_with = "iso_time")]
    pub created_at: Millis,
    #[serde(serialize_with = "iso_time")]
    pub updated_at: Millis,
}

/// What a client asks a session to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Start,
    Pause,
    Resume,
    Complete,
    /// Charge the active participant and hand the turn to `next` (default: the following one).
    Switch {
        next: Option<Uuid>,
    },
}

/// Why a command was refused; the state is left untouched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// `INVALID_STATE_TRANSITION`.
    Transition { command: Command, status: Status },
    /// `switch` named a participant the session does not have (`VALIDATION_ERROR`).
    UnknownParticipant(Uuid),
}

impl Refusal {
    /// The real service's wording, which names the session.
    pub fn message(&self, session_id: Uuid) -> String {
        match *self {
            Refusal::Transition { command, status } => {
                let verb = match command {
                    Command::Start => "cannot be started",
                    Command::Pause => "cannot be paused",
                    Command::Resume => "cannot be resumed",
                    Command::Complete => "cannot be completed",
                    Command::Switch { .. } => "not running",
                };
                format!("Session {session_id} {verb} (current status: {status})")
            }
            Refusal::UnknownParticipant(id) => format!("Participant {id} not found in session"),
        }
    }
}

/// The body of a successful `switch`: the parts of the state a client needs for the new turn.
#[derive(Debug, Serialize)]
pub struct SwitchResult<'a> {
    #[serde(serialize_with = "uuid_text")]
    pub session_id: Uuid,
    #[serde(serialize_with = "opt_uuid_text")]
    pub active_participant_id: Option<Uuid>,
    #[serde(serialize_with = "opt_iso_time")]
    pub cycle_started_at: Option<Millis>,
    pub participants: &'a [Participant],
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "opt_uuid_text")]
    pub expired_participant_id: Option<Uuid>,
}

impl SyncState {
    /// A pending session at version 1, no participant active yet.
    pub fn create(new: NewSession, now: Millis) -> Self {
        let participants = new
            .participants
            .into_iter()
            .map(|p| Participant {
                participant_id: p.participant_id,
                participant_index: p.participant_index,
                total_time_ms: p.total_time_ms,
                time_used_ms: 0,
                time_remaining_ms: p.total_time_ms,
                cycle_count: 0,
                is_active: false,
                has_expired: false,
                group_id: p.group_id,
            })
            .collect();
        SyncState {
            session_id: new.session_id,
            sync_mode: new.sync_mode,
            status: Status::Pending,
            version: 1,
            participants,
            active_participant_id: None,
            total_time_ms: new.total_time_ms,
            time_per_cycle_ms: new.time_per_cycle_ms,
            cycle_started_at: None,
            session_started_at: None,
            session_completed_at: None,
            increment_ms: new.increment_ms.unwrap_or(0),
            max_time_ms: new.max_time_ms,
            created_at: now,
            updated_at: now,
        }
    }

    /// Applies `command` at time `now`. Returns the participant whose time ran out during a
    /// switch, if any. On refusal nothing has changed.
    ///
    /// Allowed: pending→running (start), running→paused (pause), paused→running (resume),
    /// running→running (switch), and complete from any status: the real service's
    /// `completeSession` checks none, so completing a completed session succeeds again.
    pub fn apply(&mut self, command: Command, now: Millis) -> Result<Option<Uuid>, Refusal> {
        let allowed = match command {
            Command::Start => self.status == Status::Pending,
            Command::Pause | Command::Switch { .. } => self.status == Status::Running,
            Command::Resume => self.status == Status::Paused,
            Command::Complete => true,
        };
        if !allowed {
            return Err(Refusal::Transition { command, status: self.status });
        }
        let mut expired = None;
        match command {
            Command::Start => {
                self.status = Status::Running;
                self.session_started_at = Some(now);
                self.cycle_started_at = Some(now);
                if let Some(first) = self.participants.first_mut() {
                    first.is_active = true;
                    self.active_participant_id = Some(first.participant_id);
                }
            }
            Command::Pause => {
                self.charge_active(now);
                self.status = Status::Paused;
                self.cycle_started_at = None;
            }
            Command::Resume => {
                self.status = Status::Running;
                self.cycle_started_at = Some(now);
            }
            Command::Complete => {
                self.status = Status::Completed;
                self.session_completed_at = Some(now);
                self.cycle_started_at = None;
                self.active_participant_id = None;
                self.participants.iter_mut().for_each(|p| p.is_active = false);
            }
            Command::Switch { next } => expired = self.switch(next, now)?,
        }
        self.updated_at = now;
        Ok(expired)
    }

    /// Worked example: participants A (60 000 ms) and B, `increment_ms` 2 000, A active since
    /// t=10 000. A switch at t=15 000 charges A 5 000 ms (`time_used_ms` 5 000, remaining
    /// 55 000), adds the increment (57 000), counts A's cycle and makes B active from 15 000.
    /// Had A had only 4 000 ms left, it would end at 0 with `has_expired` and no increment.
    fn switch(&mut self, next: Option<Uuid>, now: Millis) -> Result<Option<Uuid>, Refusal> {
        let current = self.participants.iter().position(|p| Some(p.participant_id) == self.active_participant_id);
        let next = match next {
            Some(id) => {
                self.participants.iter().position(|p| p.participant_id == id).ok_or(Refusal::UnknownParticipant(id))?
            }
            None => current.map_or(0, |i| (i + 1) % self.participants.len()),
        };
        let mut expired = None;
        if let (Some(i), Some(started)) = (current, self.cycle_started_at) {
            let increment = self.increment_ms;
            let p = &mut self.participants[i];
            charge(p, now.saturating_sub(started));
            p.cycle_count += 1;
            p.is_active = false;
            if p.total_time_ms == 0 {
                p.has_expired = true;
                expired = Some(p.participant_id);
            } else if increment > 0 {
                p.total_time_ms += increment;
                p.time_remaining_ms = p.total_time_ms;
            }
        }
        let p = &mut self.participants[next];
        p.is_active = true;
        self.active_participant_id = Some(p.participant_id);
        self.cycle_started_at = Some(now);
        Ok(expired)
    }

    fn charge_active(&mut self, now: Millis) {
        let Some(started) = self.cycle_started_at else { return };
        if let Some(p) = self.participants.iter_mut().find(|p| p.is_active) {
            charge(p, now.saturating_sub(started));
        }
    }

    pub fn switch_result(&self, expired_participant_id: Option<Uuid>) -> SwitchResult<'_> {
        SwitchResult {
            session_id: self.session_id,
            active_participant_id: self.active_participant_id,
            cycle_started_at: self.cycle_started_at,
            participants: &self.participants,
            status: self.status,
            expired_participant_id,
        }
    }
}

fn charge(p: &mut Participant, elapsed: u64) {
    p.time_used_ms += elapsed;
    p.total_time_ms = p.total_time_ms.saturating_sub(elapsed);
    p.time_remaining_ms = p.total_time_ms;
}

/// `Date.toISOString()`: `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC.
pub fn iso8601(ms: Millis) -> String {
    let time = i64::try_from(ms).ok().and_then(DateTime::<Utc>::from_timestamp_millis).unwrap_or_default();
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn iso_time<S: Serializer>(ms: &Millis, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&iso8601(*ms))
}

fn opt_iso_time<S: Serializer>(ms: &Option<Millis>, serializer: S) -> Result<S::Ok, S::Error> {
    match ms {
        Some(ms) => iso_time(ms, serializer),
        None => serializer.serialize_none(),
    }
}

fn uuid_text<S: Serializer>(id: &Uuid, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(id.hyphenated().encode_lower(&mut Uuid::encode_buffer()))
}

fn opt_uuid_text<S: Serializer>(id: &Option<Uuid>, serializer: S) -> Result<S::Ok, S::Error> {
    match id {
        Some(id) => uuid_text(id, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Uuid = Uuid::from_u128(0xa);
    const B: Uuid = Uuid::from_u128(0xb);

    fn session(increment_ms: u64, budgets: [u64; 2]) -> SyncState {
        let participant = |participant_id, participant_index, total_time_ms| NewParticipant {
            participant_id,
            participant_index,
            total_time_ms,
            group_id: None,
        };
        let new = NewSession {
            session_id: Uuid::from_u128(1),
            sync_mode: SyncMode::PerParticipant,
            participants: vec![participant(A, 0, budgets[0]), participant(B, 1, budgets[1])],
            total_time_ms: 120_000,
            time_per_cycle_ms: None,
            increment_ms: Some(increment_ms),
            max_time_ms: None,
        };
        SyncState::create(new, 1_000)
    }

    #[test]
    fn switch_follows_the_worked_example() {
        let mut s = session(2_000, [60_000, 60_000]);
        s.apply(Command::Start, 10_000).unwrap();
        assert_eq!(s.apply(Command::Switch { next: None }, 15_000), Ok(None));
        let a = &s.participants[0];
        assert_eq!((a.time_used_ms, a.total_time_ms, a.time_remaining_ms, a.cycle_count), (5_000, 57_000, 57_000, 1));
        assert!(!a.is_active && s.participants[1].is_active);
        assert_eq!((s.active_participant_id, s.cycle_started_at), (Some(B), Some(15_000)));
        // B's turn wraps back to A.
        s.apply(Command::Switch { next: None }, 16_000).unwrap();
        assert_eq!(s.active_participant_id, Some(A));
    }

    #[test]
    fn a_participant_out_of_time_expires_without_increment() {
        let mut s = session(2_000, [4_000, 60_000]);
        s.apply(Command::Start, 10_000).unwrap();
        assert_eq!(s.apply(Command::Switch { next: None }, 15_000), Ok(Some(A)));
        let a = &s.participants[0];
        assert_eq!((a.time_used_ms, a.time_remaining_ms, a.has_expired), (5_000, 0, true));
    }

    #[test]
    fn transitions_outside_the_state_machine_are_refused_untouched() {
        let mut s = session(0, [60_000, 60_000]);
        let before = s.clone();
        for command in [Command::Pause, Command::Resume, Command::Switch { next: None }] {
            assert_eq!(s.apply(command, 2_000), Err(Refusal::Transition { command, status: Status::Pending }));
        }
        assert_eq!(s, before);
        s.apply(Command::Start, 2_000).unwrap();
        assert!(s.apply(Command::Start, 2_000).is_err());
        s.apply(Command::Pause, 3_000).unwrap();
        assert_eq!(s.participants[0].time_used_ms, 1_000);
        assert!(s.apply(Command::Switch { next: None }, 3_000).is_err());
        s.apply(Command::Resume, 9_000).unwrap();
        assert_eq!(s.cycle_started_at, Some(9_000));
        s.apply(Command::Complete, 9_500).unwrap();
        assert_eq!((s.status, s.active_participant_id, s.session_completed_at), (Status::Completed, None, Some(9_500)));
        assert_eq!(s.apply(Command::Complete, 9_600), Ok(None), "completing twice succeeds, as in the service");
        assert_eq!(s.session_completed_at, Some(9_600));
    }

    #[test]
    fn switch_to_an_unknown_participant_changes_nothing() {
        let mut s = session(0, [60_000, 60_000]);
        s.apply(Command::Start, 2_000).unwrap();
        let before = s.clone();
        let stranger = Uuid::from_u128(0xc);
        assert_eq!(
            s.apply(Command::Switch { next: Some(stranger) }, 3_000),
            Err(Refusal::UnknownParticipant(stranger))
        );
        assert_eq!(s, before);
        s.apply(Command::Switch { next: Some(A) }, 3_000).unwrap();
        assert_eq!((s.active_participant_id, s.participants[0].cycle_count), (Some(A), 1));
    }

    #[test]
    fn timestamps_read_like_javascript_iso_strings() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_704_067_200_000), "2024-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_709_210_096_789), "2024-02-29T12:34:56.789Z");
    }
}
