"""Test helpers: real git repositories, sample projects, fake servers."""
