//! The kinds of message the system sends. Each kind has its own template
//! slot per election (with per-task-type overrides).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    Invitation,
    InvitationReminder,
    RegistrationConfirmation,
    CancellationConfirmation,
    TaskReminder,
    RetractedInvitation,
    RemovedFromTask,
    RemovedByNewCprData,
    GroupMessage,
    TaskChanged,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Ukendt beskedtype")]
pub struct UnknownMessageKind;

impl MessageKind {
    pub const ALL: [MessageKind; 10] = [
        MessageKind::Invitation,
        MessageKind::InvitationReminder,
        MessageKind::RegistrationConfirmation,
        MessageKind::CancellationConfirmation,
        MessageKind::TaskReminder,
        MessageKind::RetractedInvitation,
        MessageKind::RemovedFromTask,
        MessageKind::RemovedByNewCprData,
        MessageKind::GroupMessage,
        MessageKind::TaskChanged,
    ];

    /// Stable key for databases, job payloads and URLs. Never change one.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Invitation => "invitation",
            MessageKind::InvitationReminder => "invitation_reminder",
            MessageKind::RegistrationConfirmation => "registration_confirmation",
            MessageKind::CancellationConfirmation => "cancellation_confirmation",
            MessageKind::TaskReminder => "task_reminder",
            MessageKind::RetractedInvitation => "retracted_invitation",
            MessageKind::RemovedFromTask => "removed_from_task",
            MessageKind::RemovedByNewCprData => "removed_by_new_cpr_data",
            MessageKind::GroupMessage => "group_message",
            MessageKind::TaskChanged => "task_changed",
        }
    }

    /// Danish name shown to staff, e.g. next to a template slot.
    pub fn label(self) -> &'static str {
        match self {
            MessageKind::Invitation => "Invitation",
            MessageKind::InvitationReminder => "Påmindelse om invitation",
            MessageKind::RegistrationConfirmation => "Bekræftelse af tilmelding",
            MessageKind::CancellationConfirmation => "Bekræftelse af afmelding",
            MessageKind::TaskReminder => "Påmindelse om opgave",
            MessageKind::RetractedInvitation => "Invitation trukket tilbage",
            MessageKind::RemovedFromTask => "Fjernet fra opgave",
            MessageKind::RemovedByNewCprData => "Fjernet pga. nye CPR-oplysninger",
            MessageKind::GroupMessage => "Gruppebesked",
            MessageKind::TaskChanged => "Opgave ændret",
        }
    }

    pub fn parse(key: &str) -> Result<Self, UnknownMessageKind> {
        MessageKind::ALL.into_iter().find(|kind| kind.as_str() == key).ok_or(UnknownMessageKind)
    }
}

impl fmt::Display for MessageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for MessageKind {
    type Err = UnknownMessageKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MessageKind::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn keys_are_pinned() {
        // Stored in databases: a rename here would orphan existing rows.
        let keys: Vec<&str> = MessageKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "invitation",
                "invitation_reminder",
                "registration_confirmation",
                "cancellation_confirmation",
                "task_reminder",
                "retracted_invitation",
                "removed_from_task",
                "removed_by_new_cpr_data",
                "group_message",
                "task_changed",
            ]
        );
    }

    #[test]
    fn keys_and_labels_are_unique() {
        let keys: HashSet<_> = MessageKind::ALL.iter().map(|k| k.as_str()).collect();
        let labels: HashSet<_> = MessageKind::ALL.iter().map(|k| k.label()).collect();
        assert_eq!(keys.len(), MessageKind::ALL.len());
        assert_eq!(labels.len(), MessageKind::ALL.len());
    }

    #[test]
    fn parse_round_trips_every_kind() {
        for kind in MessageKind::ALL {
            assert_eq!(MessageKind::parse(kind.as_str()), Ok(kind));
            assert_eq!(kind.as_str().parse::<MessageKind>(), Ok(kind));
        }
        assert_eq!(MessageKind::parse("Invitation"), Err(UnknownMessageKind));
        assert_eq!(MessageKind::parse(""), Err(UnknownMessageKind));
    }

    #[test]
    fn serde_names_are_the_keys() {
        use serde::de::value::{Error, StrDeserializer};
        for kind in MessageKind::ALL {
            let parsed = MessageKind::deserialize(StrDeserializer::<Error>::new(kind.as_str()));
            assert_eq!(parsed, Ok(kind));
        }
    }

    #[test]
    fn display_is_the_danish_label() {
        assert_eq!(MessageKind::RemovedByNewCprData.to_string(), "Fjernet pga. nye CPR-oplysninger");
    }
}
