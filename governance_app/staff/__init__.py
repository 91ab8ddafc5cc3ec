"""Staff pages: accounts and roles, owner activation letters (``accounts``) and the audit log
page for supervisors, auditors and platform administrators (``audit_log``). Pages only: they
read the accounts (``auth``) and the audit chain (``audit``), and nothing imports them."""
