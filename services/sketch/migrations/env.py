from imagemesh_kit.db import run_alembic_env
from services.sketch.store.models import Base

run_alembic_env(Base.metadata)
