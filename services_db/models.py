"""SQLAlchemy models with Open Referral HSDS 3.0 names, plus our extension fields.

Extension fields (not in HSDS core): requires_id, firewall_pledge, free_of_charge, walk_in, category,
is_sample and the service_translation table. HSDS export keeps them in a namespaced field.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Column, Date, DateTime, Float, ForeignKey, String, Text
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Organization(Base):
    __tablename__ = "organization"
    id = Column(String(64), primary_key=True)
    name = Column(String(300), nullable=False)
    description = Column(Text, nullable=False, default="")
    website = Column(String(500))
    is_sample = Column(Boolean, nullable=False, default=False)
    services = relationship("Service", back_populates="organization", cascade="all, delete-orphan")


class Service(Base):
    __tablename__ = "service"
    id = Column(String(64), primary_key=True)
    organization_id = Column(String(64), ForeignKey("organization.id"), nullable=False, index=True)
    name = Column(String(300), nullable=False)
    description = Column(Text, nullable=False, default="")
    status = Column(String(32), nullable=False, default="active")
    category = Column(String(64), nullable=False, index=True)
    requires_id = Column(String(8), nullable=False, default="unknown")  # yes | no | unknown
    firewall_pledge = Column(Boolean, nullable=False, default=False)
    free_of_charge = Column(Boolean, nullable=False, default=False)
    walk_in = Column(Boolean, nullable=False, default=False)
    assured_date = Column(Date)
    last_modified = Column(DateTime, nullable=False, default=lambda: dt.datetime.now(dt.timezone.utc))
    is_sample = Column(Boolean, nullable=False, default=False)

    organization = relationship("Organization", back_populates="services")
    translations = relationship("ServiceTranslation", cascade="all, delete-orphan", lazy="selectin")
    phones = relationship("Phone", cascade="all, delete-orphan", lazy="selectin")
    schedules = relationship("Schedule", cascade="all, delete-orphan", lazy="selectin")
    languages = relationship("Language", cascade="all, delete-orphan", lazy="selectin")
    service_at_locations = relationship("ServiceAtLocation", cascade="all, delete-orphan", lazy="selectin")


class ServiceTranslation(Base):
    __tablename__ = "service_translation"
    service_id = Column(String(64), ForeignKey("service.id"), primary_key=True)
    language = Column(String(8), primary_key=True)
    name = Column(String(300), nullable=False)
    description = Column(Text, nullable=False, default="")


class Location(Base):
    __tablename__ = "location"
    id = Column(String(64), primary_key=True)
    organization_id = Column(String(64), ForeignKey("organization.id"), index=True)
    location_type = Column(String(16), nullable=False, default="physical")
    name = Column(String(300))
    address = Column(String(500))
    latitude = Column(Float, nullable=False)
    longitude = Column(Float, nullable=False)
    timezone = Column(String(64), nullable=False, default="UTC")


class ServiceAtLocation(Base):
    __tablename__ = "service_at_location"
    id = Column(String(64), primary_key=True)
    service_id = Column(String(64), ForeignKey("service.id"), nullable=False, index=True)
    location_id = Column(String(64), ForeignKey("location.id"), nullable=False, index=True)
    location = relationship("Location", lazy="joined")


class Phone(Base):
    __tablename__ = "phone"
    id = Column(String(64), primary_key=True)
    service_id = Column(String(64), ForeignKey("service.id"), index=True)
    number = Column(String(64), nullable=False)
    type = Column(String(16), nullable=False, default="voice")


class Schedule(Base):
    """A weekly opening rule (HSDS schedule with freq=WEEKLY, byday, opens_at, closes_at)."""

    __tablename__ = "schedule"
    id = Column(String(64), primary_key=True)
    service_id = Column(String(64), ForeignKey("service.id"), index=True)
    freq = Column(String(16), nullable=False, default="WEEKLY")
    byday = Column(String(64), nullable=False)
    opens_at = Column(String(5), nullable=False)
    closes_at = Column(String(5), nullable=False)


class Language(Base):
    """A language the service is offered in (HSDS language)."""

    __tablename__ = "language"
    id = Column(String(80), primary_key=True)
    service_id = Column(String(64), ForeignKey("service.id"), index=True)
    code = Column(String(8), nullable=False)
