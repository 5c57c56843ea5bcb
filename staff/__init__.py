"""Staff accounts of the portal: who may read and change which organisation's listings, and a record of
every change. Free of Rasa and of the web framework."""
