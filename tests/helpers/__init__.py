"""Helpers the tests share that are more than fixtures (lightning-hydra-template's ``tests/helpers``)."""
