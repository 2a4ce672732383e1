"""The portal's own register: the access log that citizens read as
``Person.accessLog``. Its table lives in the gateway's database."""
