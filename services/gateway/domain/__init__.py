"""Gateway domain: what 'the mesh is healthy' means."""
