//! The committed completions and man pages match the CLI; `PERSONA_UPDATE_GENERATED=1` rewrites them.

use std::path::PathBuf;

use persona::complete;
use persona::docs::{COMPLETION_FILES, completion_script, man_pages};

fn check_or_update(dir: &str, files: Vec<(String, String)>) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir);
    let update = std::env::var_os("PERSONA_UPDATE_GENERATED").is_some();
    if update {
        std::fs::create_dir_all(&root).unwrap();
    }
    let mut stale = Vec::new();
    for (name, contents) in &files {
        let path = root.join(name);
        if update {
            std::fs::write(&path, contents).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(contents.as_str()) {
            stale.push(name.clone());
        }
    }
    let expected: Vec<&String> = files.iter().map(|(name, _)| name).collect();
    let extra: Vec<String> = std::fs::read_dir(&root)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| !expected.contains(&name))
                .collect()
        })
        .unwrap_or_default();
    if update {
        for name in &extra {
            std::fs::remove_file(root.join(name)).unwrap();
        }
        return;
    }
    assert!(
        stale.is_empty() && extra.is_empty(),
        "{dir}/ is stale (changed or missing: {stale:?}; no longer generated: {extra:?}); \
         regenerate with `PERSONA_UPDATE_GENERATED=1 cargo test --test cli generated`"
    );
}

#[test]
fn completions_are_up_to_date() {
    let files = COMPLETION_FILES
        .iter()
        .map(|(name, shell)| (name.to_string(), completion_script(*shell)))
        .collect();
    check_or_update("completions", files);
    let live = COMPLETION_FILES
        .iter()
        .map(|(name, shell)| (name.to_string(), complete::script(*shell)))
        .collect();
    check_or_update("completions/live", live);
}

#[test]
fn man_pages_are_up_to_date_and_document_exit_status_and_environment() {
    let pages = man_pages();
    let main = &pages
        .iter()
        .find(|(name, _)| name == "persona.1")
        .unwrap()
        .1;
    assert!(main.contains(".SH \"EXIT STATUS\"") && main.contains(".SH ENVIRONMENT"));
    assert!(
        pages
            .iter()
            .any(|(name, _)| name == "persona-personas-create.1")
    );
    check_or_update("man", pages);
}

/// Man pages have the command's examples under EXAMPLES, each line as written, and list global
/// flags apart, without those that mean nothing for the command.
#[test]
fn man_pages_have_examples_and_global_options_apart() {
    let pages = man_pages();
    let page = |name: &str| {
        pages
            .iter()
            .find(|(file, _)| file == name)
            .map(|(_, text)| text.clone())
            .unwrap()
    };
    let create = page("persona-personas-create.1");
    let examples = &create[create.find(".SH EXAMPLES").expect("EXAMPLES")..];
    assert!(
        examples.contains("\n.nf\n  persona personas create \\-f examples/brief.md\n"),
        "{examples}"
    );
    assert!(create.contains(".SH \"GLOBAL OPTIONS\""), "{create}");
    let with_examples = pages
        .iter()
        .filter(|(_, text)| text.contains(".SH EXAMPLES"))
        .count();
    assert!(with_examples >= 30, "{with_examples} pages with examples");
    let completion = page("persona-completion.1");
    assert!(!completion.contains("\\-\\-json") && !completion.contains("\\-\\-profile"));
    let verify = page("persona-webhooks-verify.1");
    assert!(verify.contains("\\-\\-json") && !verify.contains("\\-\\-profile"));
}
