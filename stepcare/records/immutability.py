"""Rows that never change once written, and rows that freeze: one implementation for every model.

Two kinds, each guarded in the model layer at both ends (an object's save()/delete() and a queryset's bulk
update()/delete()), always raising the model's own error class with its own message:

- append-only (audit events, amendments, evaluation snapshots, clinical profiles): `AppendOnlyModel`
  with an `AppendOnlyQuerySet`; a change is a new row.
- frozen by a stored state (a signed encounter and its note, a finalized plan and its items):
  `FrozenRowModel` with a `FrozenRowQuerySet`; the stored row decides, never an in-memory copy, so an
  object cannot "unsign" its way past the check.

Only managers and methods live here: no fields, so nothing here changes a migration.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from django.db import models

_M = TypeVar("_M", bound=models.Model)


def stored_value(model: type[models.Model], pk: Any, field: str) -> Any:
    """`field` of the stored row `pk` of `model` (None when there is no such row), past any custom manager."""
    if pk is None:
        return None
    return model._base_manager.filter(pk=pk).values_list(field, flat=True).first()


class AppendOnlyQuerySet(models.QuerySet[_M]):
    """Bulk update() and delete() are refused outright."""

    error: ClassVar[type[Exception]]
    message: ClassVar[str]

    def update(self, **kwargs: Any) -> int:
        raise self.error(self.message)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise self.error(self.message)


class AppendOnlyModel(models.Model):
    """save() adds a row and never rewrites one; delete() is refused."""

    append_only_error: ClassVar[type[Exception]]
    append_only_message: ClassVar[str]

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None or not self._state.adding:
            raise self.append_only_error(self.append_only_message)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise self.append_only_error(self.append_only_message)


class FrozenRowQuerySet(models.QuerySet[_M]):
    """Bulk update() and delete() refuse when any selected row is frozen.

    `frozen` selects the frozen rows; the message is formatted with `pk=` the first one's `frozen_key`.
    """

    frozen: ClassVar[models.Q]
    frozen_key: ClassVar[str] = "pk"
    error: ClassVar[type[Exception]]
    message: ClassVar[str]

    def refuse_if_frozen(self) -> None:
        found = self.filter(self.frozen).values_list(self.frozen_key, flat=True).first()
        if found is not None:
            raise self.error(self.message.format(pk=found))

    def update(self, **kwargs: Any) -> int:
        self.refuse_if_frozen()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self.refuse_if_frozen()
        return super().delete()


class FrozenRowModel(models.Model):
    """save() (and delete(), unless `delete_when_frozen`) refuse when `frozen_error()` names an error."""

    delete_when_frozen: ClassVar[bool] = False

    class Meta:
        abstract = True

    def frozen_error(self) -> Exception | None:
        """The error to raise when the stored state freezes this row, else None."""
        raise NotImplementedError

    def save(self, *args: Any, **kwargs: Any) -> None:
        error = self.frozen_error()
        if error is not None:
            raise error
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if not self.delete_when_frozen:
            error = self.frozen_error()
            if error is not None:
                raise error
        return super().delete(*args, **kwargs)
