# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'third_party_page.ui'
##
## Created by: Qt User Interface Compiler
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QCoreApplication, QMetaObject)
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QSizePolicy, QSpacerItem, QTabWidget, QTableView, QVBoxLayout, QWidget)

class Ui_ThirdPartyPage(object):
    def setupUi(self, ThirdPartyPage):
        if not ThirdPartyPage.objectName():
            ThirdPartyPage.setObjectName(u"ThirdPartyPage")
        ThirdPartyPage.resize(900, 560)
        self.layout = QVBoxLayout(ThirdPartyPage)
        self.layout.setSpacing(10)
        self.layout.setObjectName(u"layout")
        self.topRow = QHBoxLayout()
        self.topRow.setObjectName(u"topRow")
        self.titleColumn = QVBoxLayout()
        self.titleColumn.setObjectName(u"titleColumn")
        self.titleLabel = QLabel(ThirdPartyPage)
        self.titleLabel.setObjectName(u"titleLabel")

        self.titleColumn.addWidget(self.titleLabel)

        self.subtitleLabel = QLabel(ThirdPartyPage)
        self.subtitleLabel.setObjectName(u"subtitleLabel")
        self.subtitleLabel.setWordWrap(True)

        self.titleColumn.addWidget(self.subtitleLabel)


        self.topRow.addLayout(self.titleColumn)

        self.topSpacer = QSpacerItem(40, 10, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.topRow.addItem(self.topSpacer)

        self.linkColumn = QVBoxLayout()
        self.linkColumn.setSpacing(4)
        self.linkColumn.setObjectName(u"linkColumn")

        self.topRow.addLayout(self.linkColumn)


        self.layout.addLayout(self.topRow)

        self.tabs = QTabWidget(ThirdPartyPage)
        self.tabs.setObjectName(u"tabs")
        self.accessTab = QWidget()
        self.accessTab.setObjectName(u"accessTab")
        self.accessLayout = QVBoxLayout(self.accessTab)
        self.accessLayout.setObjectName(u"accessLayout")
        self.accessHint = QLabel(self.accessTab)
        self.accessHint.setObjectName(u"accessHint")
        self.accessHint.setWordWrap(True)

        self.accessLayout.addWidget(self.accessHint)

        self.accessTable = QTableView(self.accessTab)
        self.accessTable.setObjectName(u"accessTable")

        self.accessLayout.addWidget(self.accessTable)

        self.tabs.addTab(self.accessTab, "")
        self.generalTab = QWidget()
        self.generalTab.setObjectName(u"generalTab")
        self.generalLayout = QVBoxLayout(self.generalTab)
        self.generalLayout.setObjectName(u"generalLayout")
        self.generalRow = QHBoxLayout()
        self.generalRow.setObjectName(u"generalRow")
        self.generalAccessLabel = QLabel(self.generalTab)
        self.generalAccessLabel.setObjectName(u"generalAccessLabel")

        self.generalRow.addWidget(self.generalAccessLabel)

        self.generalAccessDetail = QLabel(self.generalTab)
        self.generalAccessDetail.setObjectName(u"generalAccessDetail")
        self.generalAccessDetail.setWordWrap(True)

        self.generalRow.addWidget(self.generalAccessDetail)

        self.generalSpacer = QSpacerItem(40, 10, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.generalRow.addItem(self.generalSpacer)


        self.generalLayout.addLayout(self.generalRow)

        self.generalBottom = QSpacerItem(10, 40, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.generalLayout.addItem(self.generalBottom)

        self.tabs.addTab(self.generalTab, "")
        self.historyTab = QWidget()
        self.historyTab.setObjectName(u"historyTab")
        self.historyLayout = QVBoxLayout(self.historyTab)
        self.historyLayout.setObjectName(u"historyLayout")
        self.historyTable = QTableView(self.historyTab)
        self.historyTable.setObjectName(u"historyTable")

        self.historyLayout.addWidget(self.historyTable)

        self.tabs.addTab(self.historyTab, "")

        self.layout.addWidget(self.tabs)


        self.retranslateUi(ThirdPartyPage)

        self.tabs.setCurrentIndex(0)


        QMetaObject.connectSlotsByName(ThirdPartyPage)
    # setupUi

    def retranslateUi(self, ThirdPartyPage):
        self.accessHint.setText(QCoreApplication.translate("ThirdPartyPage", u"Select an Access Type to change what this third party may do on that account.", None))
#if QT_CONFIG(accessibility)
        self.accessTable.setAccessibleName(QCoreApplication.translate("ThirdPartyPage", u"Access by account", None))
#endif // QT_CONFIG(accessibility)
        self.tabs.setTabText(self.tabs.indexOf(self.accessTab), QCoreApplication.translate("ThirdPartyPage", u"Access", None))
        self.generalAccessLabel.setText(QCoreApplication.translate("ThirdPartyPage", u"General Access", None))
        self.tabs.setTabText(self.tabs.indexOf(self.generalTab), QCoreApplication.translate("ThirdPartyPage", u"Manage Account Access", None))
#if QT_CONFIG(accessibility)
        self.historyTable.setAccessibleName(QCoreApplication.translate("ThirdPartyPage", u"History with this third party", None))
#endif // QT_CONFIG(accessibility)
        self.tabs.setTabText(self.tabs.indexOf(self.historyTab), QCoreApplication.translate("ThirdPartyPage", u"History", None))
        pass
    # retranslateUi

