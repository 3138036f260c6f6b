//! Activating and deactivating an election, each after a confirmation page.

use axum::extract::Path;
use axum::response::{Html, Response};
use uuid::Uuid;

use super::confirm::{ConfirmPage, refused};
use super::{election, href, render, store_error};
use crate::admin::AdminUser;
use crate::admin::flash::redirect_with_flash;
use crate::error::Result;

pub async fn confirm_activate(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Html<String>> {
    admin.require_edit()?;
    let e = election(&admin, id).await?;
    let mut page = ConfirmPage::new(&admin, format!("Aktivér »{}«", e.title), id, "activate", "Aktivér valget");
    page.paragraphs = vec![
        "Når valget er aktivt, sendes invitationer og bekræftelser for valgets opgaver automatisk, \
         og den eksterne side er åben for tilmelding."
            .into(),
        "Andre aktive valg påvirkes ikke.".into(),
    ];
    page.refusal = domain::election::may_activate(e.active).err().map(|r| r.to_string());
    render(&page)
}

pub async fn activate(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    let e = election(&admin, id).await?;
    match store::repo::elections::activate(admin.db(), &admin.actor(), id).await {
        Ok(()) => Ok(redirect_with_flash(&href(id), &format!("Valget »{}« er aktiveret.", e.title))),
        Err(store::Error::Conflict { message, .. }) => refused(
            ConfirmPage::new(&admin, format!("Aktivér »{}«", e.title), id, "activate", "Aktivér valget"),
            message,
        ),
        Err(other) => Err(store_error(other)),
    }
}

pub async fn confirm_deactivate(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Html<String>> {
    admin.require_edit()?;
    let e = election(&admin, id).await?;
    let mut page = ConfirmPage::new(&admin, format!("Deaktivér »{}«", e.title), id, "deactivate", "Deaktivér valget");
    page.paragraphs = vec![
        "Når valget ikke er aktivt, sendes der ingen automatiske beskeder for det. \
         Beskeder kan stadig sendes manuelt."
            .into(),
    ];
    page.refusal = domain::election::may_deactivate(e.active).err().map(|r| r.to_string());
    render(&page)
}

pub async fn deactivate(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    let e = election(&admin, id).await?;
    match store::repo::elections::deactivate(admin.db(), &admin.actor(), id).await {
        Ok(()) => Ok(redirect_with_flash(&href(id), &format!("Valget »{}« er deaktiveret.", e.title))),
        Err(store::Error::Conflict { message, .. }) => refused(
            ConfirmPage::new(&admin, format!("Deaktivér »{}«", e.title), id, "deactivate", "Deaktivér valget"),
            message,
        ),
        Err(other) => Err(store_error(other)),
    }
}
