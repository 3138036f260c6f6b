//! Pure domain types and rules of Valghalla: no I/O, no async, no database.
//!
//! Values from the outside world enter through `parse` functions that return
//! typed errors with Danish messages, ready to show next to a form field.

pub mod access;
pub mod address;
pub mod age;
pub mod attachment;
pub mod conflict;
pub mod consent;
pub mod contact;
pub mod cpr;
pub mod delivery;
pub mod election;
pub mod eligibility;
pub mod local_time;
pub mod lock;
pub mod master;
pub mod message;
pub mod municipality;
pub mod revalidation;
pub mod seat;
pub mod staffing;
pub mod task_time;
pub mod template;

pub use access::AdminRole;
pub use address::{PostalCode, PostalCodeError};
pub use age::age_on;
pub use attachment::{MAX_PDF_BYTES, PdfError, PdfUpload};
pub use conflict::{TaskWindow, conflicts, overlaps};
pub use consent::{consent_until, current_consent};
pub use contact::{Email, EmailError, Mobile, MobileError};
pub use cpr::{CprError, CprNumber};
pub use election::{
    CopyPlan, CopyPlanError, DatesError, ElectionDates, ElectionRefusal, LockPeriod, LockPeriodError, SeatsOutside,
};
pub use eligibility::{Eligibility, Outcome, PersonFacts, Rule, RuleResult, RuleSet, evaluate};
pub use local_time::danish_date;
pub use lock::{last_cancellation_day, may_cancel};
pub use master::{DeleteRefusal, Name, NameError};
pub use message::MessageKind;
pub use municipality::{CountryCode, CountryCodeError, Cvr, CvrError, MunicipalityCode, MunicipalityCodeError};
pub use seat::{SeatAction, SeatError, SeatState, SeatStatus, Transition};
pub use staffing::StaffingRefusal;
pub use task_time::{TaskTimes, TaskTimesError};
pub use template::{Placeholder, Template, TemplateError};
