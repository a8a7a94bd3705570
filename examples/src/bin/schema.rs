//! Prints the JSON Schema of the playbook format, for editors and CI checks of playbooks.

fn main() {
    println!("{}", scrm_core::Playbook::json_schema());
}
