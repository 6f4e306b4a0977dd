"""Sub-commands of the `hkcms` command line; each module registers its own with register()."""
