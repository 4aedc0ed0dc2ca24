"""What every floor of the clinic imports: units of work and the data version (database),
the clinic's clock, the after-commit signal, mail, emailed links, the refusals every door
answers (errors) and reading plain values (values). Imports nothing of the domain or the
doors."""
