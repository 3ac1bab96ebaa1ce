"""Readers of image dimensions straight from file headers, without decoding pixels."""
