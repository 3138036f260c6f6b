//! End-to-end journeys in a real headless Chromium over WebDriver, against
//! the real binary (`valghalla demo`: the app, its SQLite data and the FK
//! Adgangsstyring and NemLog-in simulators), with axe-core run on every page
//! visited. Needs Debian's `chromium` and `chromium-driver`; without them the
//! test says SKIPPED and passes (`.ci/run` installs them).
//!
//! Journeys: an admin signs in through the simulated FK IdP and reaches the
//! election list; a participant signs in through the simulated NemLog-in and
//! reaches "Mine opgaver"; the fallback (FK down → switch on → MitID sign-in
//! with the last FK roles → switch off → refused); activating the election
//! delivers every message through the channel simulators, and with Digital
//! Post down a group message arrives by the next channel (`messages`).
//! The participant journeys: the secretariat distributes seats and invites,
//! the participant accepts (`invitation`); signing up through a team link
//! (`signup`); cancelling before the lock period and being refused inside it
//! (`cancel`); a team responsible removing a member (`responsible`).

mod admin;
mod cancel;
mod invitation;
mod messages;
mod responsible;
mod signup;
mod steps;
mod support;
