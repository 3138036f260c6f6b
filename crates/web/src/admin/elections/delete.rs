//! Deleting an election: refused while it is active; otherwise after a
//! confirmation page that says how many seats go with it.

use axum::extract::Path;
use axum::response::{Html, Response};
use uuid::Uuid;

use super::confirm::{ConfirmPage, refused};
use super::{href, render, store_error};
use crate::admin::AdminUser;
use crate::admin::flash::redirect_with_flash;
use crate::error::Result;

pub async fn confirm(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Html<String>> {
    admin.require_edit()?;
    render(&page(&admin, id).await?)
}

pub async fn delete(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    let page = page(&admin, id).await?;
    let title = page.subject.clone();
    match store::repo::elections::delete(admin.db(), &admin.actor(), id).await {
        Ok(_) => Ok(redirect_with_flash("/admin/elections", &format!("Valget »{title}« er slettet."))),
        Err(store::Error::Conflict { message, .. }) => refused(page, message),
        Err(other) => Err(store_error(other)),
    }
}

async fn page(admin: &AdminUser, id: Uuid) -> Result<ConfirmPage> {
    let detail = store::repo::elections::detail(admin.db(), id).await.map_err(store_error)?;
    let e = &detail.election;
    let mut page = ConfirmPage::new(admin, format!("Slet »{}«", e.title), id, "delete", "Slet valget");
    page.subject = e.title.clone();
    page.danger = true;
    let seats = match detail.seats {
        0 => "Valget har ingen opgaver.".to_owned(),
        1 => "Valgets ene opgave slettes også, også hvis den er besat.".to_owned(),
        n => format!("Valgets {n} opgaver slettes også – også dem, der er besat."),
    };
    page.paragraphs = vec![
        seats,
        "Deltagerne selv slettes ikke. Eksportér de lister, du har brug for, før du sletter. \
         Sletningen kan ikke fortrydes."
            .into(),
    ];
    page.refusal = domain::election::may_delete(e.active).err().map(|r| r.to_string());
    page.cancel = href(id);
    Ok(page)
}
