"""imagemesh_kit: the runtime kit every imagemesh service uses."""
