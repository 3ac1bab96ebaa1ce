from imagemesh_kit.db import run_alembic_env
from services.storage.store.models import Base

run_alembic_env(Base.metadata)
