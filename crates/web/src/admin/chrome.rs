//! The frame around every admin page: tenant, signed-in user, menu, flash.

/// The signed-in admin as the page frame shows them.
#[derive(Debug, Clone)]
pub struct UserBadge {
    pub name: String,
    pub role: String,
}

/// Which menu section a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Home,
    Integrations,
    Elections,
    ElectionTypes,
    Areas,
    WorkLocations,
    Teams,
    TaskTypes,
    Diets,
    Templates,
    WebPages,
    Participants,
    Messages,
    AuditLog,
    Status,
    MyUser,
}

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

const MENU: &[(Section, &str, &str)] = &[
    (Section::Elections, "/admin/elections", "Valg"),
    (Section::Participants, "/admin/participants", "Deltagere"),
    (Section::Messages, "/admin/messages", "Beskeder"),
    (Section::Integrations, "/admin/integrations", "Integrationer"),
    (Section::ElectionTypes, "/admin/election-types", "Valgtyper"),
    (Section::Areas, "/admin/areas", "Områder"),
    (Section::WorkLocations, "/admin/work-locations", "Arbejdssteder"),
    (Section::Teams, "/admin/teams", "Teams"),
    (Section::TaskTypes, "/admin/task-types", "Opgavetyper"),
    (Section::Diets, "/admin/diets", "Specialkost"),
    (Section::Templates, "/admin/templates", "Beskedskabeloner"),
    (Section::WebPages, "/admin/web-pages", "Websider"),
    (Section::AuditLog, "/admin/audit-log", "Revisionslog"),
    (Section::Status, "/admin/status", "Status"),
];

pub struct Chrome {
    pub tenant_name: String,
    pub user: Option<UserBadge>,
    pub section: Section,
    pub demo: bool,
    /// Signed in through the MitID fallback: every page says so.
    pub fallback: bool,
    pub csrf: String,
    pub flash: Option<String>,
    /// Hides edit buttons from readers (the handlers refuse them anyway).
    pub may_edit: bool,
    /// Shows the menu items only Administrators may open.
    pub may_administer: bool,
}

impl Chrome {
    pub fn nav(&self) -> Vec<NavItem> {
        MENU.iter()
            .filter(|(section, _, _)| self.may_administer || *section != Section::AuditLog)
            .map(|(section, href, label)| NavItem { href, label, current: *section == self.section })
            .collect()
    }
}
