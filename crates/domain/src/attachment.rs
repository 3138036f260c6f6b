//! PDF attachments of task types: what an uploaded file must be before it is
//! stored and later handed to participants.

/// Largest accepted attachment: 10 MB, as in the reference system.
pub const MAX_PDF_BYTES: usize = 10 * 1024 * 1024;

const PDF_MAGIC: &[u8] = b"%PDF-";
const PDF_MIME: &str = "application/pdf";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    #[error("Vælg en fil")]
    Missing,
    #[error("Filen er tom")]
    Empty,
    #[error("Filen er for stor: højst 10 MB")]
    TooLarge,
    #[error("Filen skal være en PDF-fil")]
    NotPdf,
}

/// An uploaded file that is a PDF of an allowed size, with a file name that
/// is safe to send back in a Content-Disposition header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfUpload {
    pub file_name: String,
    pub content: Vec<u8>,
}

impl PdfUpload {
    pub const MIME_TYPE: &'static str = PDF_MIME;

    /// Checks the declared type and the content itself: browsers derive the
    /// type from the extension, so only the `%PDF-` header proves anything.
    pub fn parse(file_name: &str, content_type: Option<&str>, content: Vec<u8>) -> Result<PdfUpload, PdfError> {
        let file_name = clean_file_name(file_name);
        if file_name.is_empty() && content.is_empty() {
            return Err(PdfError::Missing);
        }
        if content.is_empty() {
            return Err(PdfError::Empty);
        }
        if content.len() > MAX_PDF_BYTES {
            return Err(PdfError::TooLarge);
        }
        let declared_pdf = content_type.is_none_or(|t| essence(t).eq_ignore_ascii_case(PDF_MIME));
        if !declared_pdf || !content.starts_with(PDF_MAGIC) {
            return Err(PdfError::NotPdf);
        }
        let file_name = if file_name.is_empty() { "bilag.pdf".to_owned() } else { file_name };
        Ok(PdfUpload { file_name, content })
    }
}

/// "application/pdf; charset=binary" → "application/pdf".
fn essence(content_type: &str) -> &str {
    content_type.split(';').next().unwrap_or_default().trim()
}

/// The last path component, without control characters or quotes, at most
/// 200 characters (some browsers send the full client path).
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    base.chars().filter(|c| !c.is_control() && *c != '"').take(200).collect::<String>().trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pdf() -> Vec<u8> {
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n".to_vec()
    }

    #[test]
    fn a_real_pdf_is_accepted() {
        let upload = PdfUpload::parse("Instruks.pdf", Some("application/pdf"), pdf()).unwrap();
        assert_eq!(upload.file_name, "Instruks.pdf");
    }

    #[test]
    fn the_content_must_start_like_a_pdf() {
        let err = PdfUpload::parse("x.pdf", Some("application/pdf"), b"<html>".to_vec());
        assert_eq!(err, Err(PdfError::NotPdf));
    }

    #[test]
    fn another_declared_type_is_refused() {
        assert_eq!(PdfUpload::parse("x.pdf", Some("text/plain"), pdf()), Err(PdfError::NotPdf));
        assert!(PdfUpload::parse("x.pdf", Some("application/pdf; charset=binary"), pdf()).is_ok());
    }

    #[test]
    fn size_limit_is_ten_megabytes() {
        let mut at_limit = pdf();
        at_limit.resize(MAX_PDF_BYTES, b' ');
        assert!(PdfUpload::parse("x.pdf", None, at_limit.clone()).is_ok());
        at_limit.push(b' ');
        assert_eq!(PdfUpload::parse("x.pdf", None, at_limit), Err(PdfError::TooLarge));
    }

    #[test]
    fn no_file_and_empty_file() {
        assert_eq!(PdfUpload::parse("", None, Vec::new()), Err(PdfError::Missing));
        assert_eq!(PdfUpload::parse("x.pdf", None, Vec::new()), Err(PdfError::Empty));
    }

    #[test]
    fn file_names_lose_client_paths_and_quotes() {
        assert_eq!(clean_file_name(r#"C:\Users\a\Vejledning "ny".pdf"#), "Vejledning ny.pdf");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("a\r\nb.pdf"), "ab.pdf");
    }
}
