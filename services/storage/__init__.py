"""Storage service: images in, images out, on local disk or any S3 API."""
